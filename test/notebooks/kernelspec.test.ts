import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const kernels = path.join(root, "kernels-config", "kernels");
const python = process.env.DEALKIT_PYTHON ?? "/usr/bin/python3";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-spec-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Spec {
  argv: string[];
  display_name: string;
  env?: Record<string, string>;
  metadata?: { dealkit?: Record<string, string> };
}

const readSpec = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Spec;

describe("kernel specs", () => {
  const specs = Object.fromEntries(
    ["dealkit", "dealkit-cpu", "dealkit-gpu"].map((name) => [name, readSpec(path.join(kernels, name, "kernel.json"))]),
  );

  it("start the dealkit kernel launcher through a path relative to the spec", () => {
    for (const [name, spec] of Object.entries(specs)) {
      expect(spec.argv[0]).toBe("node");
      expect(spec.argv.slice(2)).toEqual(["{connection_file}"]);
      expect(spec.argv[1]!.startsWith("{resource_dir}/")).toBe(true);
      const bin = path.resolve(path.join(kernels, name), spec.argv[1]!.replace("{resource_dir}/", ""));
      expect(bin).toBe(path.join(root, "kernels-config", "dealkit-kernel.cjs"));
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

  it("`npm run kernel:install` writes specs whose kernel imports dealkit from any folder", { timeout: 600_000 }, () => {
    const dataDir = path.join(tmp, "data");
    const install = spawnSync(process.execPath, [path.join(root, "scripts", "install-kernels.cjs"), "--data-dir", dataDir], {
      encoding: "utf8",
    });
    expect(install.status, install.stderr).toBe(0);
    const spec = readSpec(path.join(dataDir, "kernels", "dealkit", "kernel.json"));
    expect(spec.argv).toEqual([process.execPath, path.join(root, "kernels-config", "dealkit-kernel.cjs"), "{connection_file}"]);
    expect(spec.metadata?.dealkit?.checkout).toBe(root);
    // Start the installed kernel in a folder with no node_modules, as Jupyter would for a notebook there.
    const elsewhere = path.join(tmp, "notebooks-elsewhere");
    fs.mkdirSync(elsewhere);
    const script = [
      "from jupyter_client.manager import start_new_kernel",
      "km, kc = start_new_kernel(kernel_name='dealkit', startup_timeout=300)",
      "try:",
      "    reply = kc.execute_interactive('import { VERSION } from \"dealkit\";\\nVERSION + \" \" + process.cwd()', timeout=240,",
      "        output_hook=lambda m: m['msg_type'] == 'execute_result' and print('RESULT', m['content']['data']['text/plain']))",
      "    print('STATUS', reply['content']['status'])",
      "finally:",
      "    kc.stop_channels(); km.shutdown_kernel(now=True)",
    ].join("\n");
    const r = spawnSync(python, ["-c", script], {
      cwd: elsewhere,
      encoding: "utf8",
      env: { ...process.env, JUPYTER_PATH: dataDir, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    });
    const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
    expect(r.stdout, r.stderr).toContain("STATUS ok");
    expect(r.stdout).toContain(`RESULT '${version} ${fs.realpathSync(elsewhere)}'`);
    const uninstall = spawnSync(process.execPath, [path.join(root, "scripts", "install-kernels.cjs"), "--data-dir", dataDir, "--uninstall"]);
    expect(uninstall.status).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "kernels", "dealkit"))).toBe(false);
  });
});
