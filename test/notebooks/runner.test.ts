import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// These run the real chain: scripts/run-notebooks.cjs -> dist/kernel/runner.js -> Debian's nbclient -> the
// dealkit kernel (tslab from node_modules) found through JUPYTER_PATH=kernels-config. `npm test` builds dist/ first.
const root = path.resolve(__dirname, "..", "..");
const fixtures = path.join(__dirname, "fixtures");
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-nb-"));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

function runRunner(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "run-notebooks.cjs"), "--out", outDir, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: "", ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function outputs(executed: string): Output[][] {
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { outputs?: Output[] }[] };
  return nb.cells.map((c) => c.outputs ?? []);
}

const text = (o: Output) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""));

// Real kernels on a shared 2-core CI machine: allow far more than the ~3 s each takes when idle.
const KERNEL_TEST_TIMEOUT_MS = 300_000;

describe("notebook runner", { timeout: KERNEL_TEST_TIMEOUT_MS }, () => {
  it("reports the failing notebook, cell and message, stops there, and exits non-zero", () => {
    const r = runRunner([path.join(fixtures, "fail.ipynb")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL test\/notebooks\/fixtures\/fail\.ipynb/m);
    expect(r.stdout).toContain("test/notebooks/fixtures/fail.ipynb: cell 2 (code cell 2, error)");
    // The kernel's error: where in the cell (In[2], line 1, with the code), then ename: evalue.
    expect(r.stdout).toContain('    In[2]:1\n    throw new Error("deliberate failure from the fixture");\n');
    expect(r.stdout).toContain("    Error: deliberate failure from the fixture");
    expect(r.stdout).not.toMatch(/tslab|evalmachine|node:vm/); // no kernel internals
    expect(r.stdout).toContain("notebooks: 0 passed, 1 failed");
    const outs = outputs(path.join(outDir, "fail.ipynb"));
    expect(text(outs[1]![0]!)).toBe("answer 42\n");
    const error = outs[2]!.find((o) => o.output_type === "error") as { ename?: string; evalue?: string } | undefined;
    expect([error?.ename, error?.evalue]).toEqual(["Error", "deliberate failure from the fixture"]);
    expect(outs[3]).toEqual([]); // the cell after the failure did not run
    expect(fs.existsSync(path.join(outDir, "fail.html"))).toBe(true);
  });

  it("with --keep-going runs the cells after a failure at once (nothing aborted) and still fails", () => {
    const r = runRunner(["--keep-going", "--no-html", path.join(fixtures, "fail.ipynb")], { DEALKIT_RUNNER_VERBOSE: "1" });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("cell 2 (code cell 2, error)");
    expect(r.stdout).not.toContain("aborted");
    const outs = outputs(path.join(outDir, "fail.ipynb"));
    expect(outs[3]!.map(text).join("")).toBe("this cell must not run\n");
  });

  it("runs a passing notebook in the dealkit kernel: imports dealkit, renders vega-lite, exports HTML", () => {
    const r = runRunner([path.join(fixtures, "pass.ipynb")]);
    expect(r.stdout).toMatch(/^PASS test\/notebooks\/fixtures\/pass\.ipynb/m);
    expect(r.status).toBe(0);
    const outs = outputs(path.join(outDir, "pass.ipynb"));
    const first = outs[1]!.map(text).join("");
    expect(first).toMatch(/^dealkit \d+\.\d+\.\d+\S* in kernel: true$/m);
    expect(first).toContain("cwd fixtures"); // the kernel runs in the notebook's folder
    expect(first).toContain("backend env (auto)");
    expect(outs[2]!.map(text).join("")).toContain("svg ok");
    const display = outs[2]!.find((o) => o.output_type === "display_data");
    expect(String(display?.data?.["text/html"])).toMatch(/^<img src="data:image\/svg\+xml,%3Csvg/);
    const html = fs.readFileSync(path.join(outDir, "pass.html"), "utf8");
    expect(html).toContain("data:image/svg+xml,%3Csvg");
  });

  it("starts the CPU variant kernel with DEALKIT_BACKEND=wasm", () => {
    const r = runRunner(["--kernel", "dealkit-cpu", "--no-html", path.join(fixtures, "pass.ipynb")]);
    expect(r.status).toBe(0);
    expect(outputs(path.join(outDir, "pass.ipynb"))[1]!.map(text).join("")).toContain("backend env wasm");
  });

  it("exits 2 on a bad option and reports a missing notebook as a failure", () => {
    expect(runRunner(["--timeout", "0"]).status).toBe(2);
    const r = runRunner([path.join(fixtures, "no-such.ipynb")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("no such notebook");
  });
});
