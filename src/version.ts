import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "./util/fs.js";

/** dealkit's version, from package.json (stored with saved results and checkpoints). */
export const VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8")).version as string;
  } catch {
    return "0.0.0";
  }
})();
