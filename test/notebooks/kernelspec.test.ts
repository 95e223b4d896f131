import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const kernels = path.join(root, "kernels-config", "kernels");

describe("kernel specs", () => {
  const specs = Object.fromEntries(
    ["dealkit", "dealkit-cpu", "dealkit-gpu"].map((name) => [
      name,
      JSON.parse(fs.readFileSync(path.join(kernels, name, "kernel.json"), "utf8")) as {
        argv: string[];
        display_name: string;
        env?: Record<string, string>;
      },
    ]),
  );

  it("start tslab from the project's node_modules through a relative path", () => {
    for (const [name, spec] of Object.entries(specs)) {
      expect(spec.argv[0]).toBe("node");
      expect(spec.argv.slice(2)).toEqual(["kernel", "--config-path", "{connection_file}"]);
      expect(spec.argv[1]!.startsWith("{resource_dir}/")).toBe(true);
      const bin = path.resolve(path.join(kernels, name), spec.argv[1]!.replace("{resource_dir}/", ""));
      expect(bin).toBe(path.join(root, "node_modules", "tslab", "bin", "tslab"));
      expect(fs.existsSync(bin)).toBe(true);
      expect(JSON.stringify(spec)).not.toMatch(/"\/(?!\/)|[A-Z]:\\\\/); // no absolute paths
    }
  });

  it("name the backend: automatic, CPU (wasm), GPU", () => {
    expect(specs.dealkit!.display_name).toBe("dealkit (TypeScript)");
    expect(specs.dealkit!.env?.DEALKIT_BACKEND).toBeUndefined();
    expect(specs["dealkit-cpu"]!.env).toEqual({ DEALKIT_BACKEND: "wasm" });
    expect(specs["dealkit-gpu"]!.env).toEqual({ DEALKIT_BACKEND: "gpu" });
  });
});
