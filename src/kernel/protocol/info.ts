import { VERSION } from "../../version.js";
import { tslabVersions } from "./engine.js";
import { PROTOCOL_VERSION } from "./wire.js";

/**
 * The kernel_info_reply: who this kernel is, in true versions (dealkit's, the TypeScript tslab compiles cells
 * with, node's).
 *
 * @example
 * kernelInfo().language_info.version; // e.g. "5.0.4"
 */
export function kernelInfo() {
  const typescript = tslabVersions.typescript;
  return {
    status: "ok" as const,
    protocol_version: PROTOCOL_VERSION,
    implementation: "dealkit",
    implementation_version: VERSION,
    language_info: {
      name: "typescript",
      version: typescript,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      // What tslab sends: TypeScript highlighting in the classic Notebook ("javascript" + typescript) and in Lab.
      codemirror_mode: { name: "javascript", typescript: true, mode: "typescript" },
    },
    banner:
      `dealkit ${VERSION} kernel: TypeScript ${typescript} (tslab ${tslabVersions.tslab}) on Node.js ` +
      `${process.version.replace(/^v/, "")}`,
    help_links: [] as { text: string; url: string }[],
    debugger: false,
  };
}
