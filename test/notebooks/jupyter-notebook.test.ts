import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The README's `JUPYTER_PATH=$PWD/kernels-config jupyter notebook notebooks/`, headless (no browser, loopback, a
// free port, a token), from the project root: it must serve the notebooks, list the dealkit kernels, start one
// and run a cell in it over the websocket the browser uses, and stop cleanly with its kernels.
const root = path.resolve(__dirname, "..", "..");
const python = process.env.DEALKIT_PYTHON ?? "/usr/bin/python3";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-jnb-"));
const token = randomBytes(16).toString("hex");
let server: ChildProcess | null = null;
let log = "";

afterAll(async () => {
  if (server && server.exitCode === null) {
    // SIGTERM lets the Notebook shut its kernels down; SIGKILL only if it hangs.
    server.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(server!.kill("SIGKILL")), 15_000);
      server!.on("exit", () => resolve(clearTimeout(timer)));
    });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | null>, seconds: number): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value !== null) return value;
    if (server && server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})\n${log.slice(-3000)}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Processes whose command line names `text` (the kernels started with connection files in our runtime dir). */
function processesWith(text: string): string[] {
  const r = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((line) => line.includes(text) && !line.includes("ps -eo"));
}

describe("jupyter notebook (the README's command)", { timeout: 600_000 }, () => {
  it("serves the notebooks with the dealkit kernels, runs a cell in one, and stops with its kernels", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/`;
    const runtime = path.join(tmp, "runtime");
    const headless = ["--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`];
    // The Notebook refuses to run as root unless told (test containers run as root; users do not).
    if (process.getuid?.() === 0) headless.push("--allow-root");
    server = spawn(
      "jupyter",
      ["notebook", "notebooks/", ...headless],
      {
        cwd: root,
        // JUPYTER_PATH as the README says; the rest keeps the test's state out of the user's Jupyter folders.
        env: {
          ...process.env,
          JUPYTER_PATH: path.join(root, "kernels-config"),
          JUPYTER_RUNTIME_DIR: runtime,
          JUPYTER_CONFIG_DIR: path.join(tmp, "config"),
          JUPYTER_DATA_DIR: path.join(tmp, "data"),
          PYDEVD_DISABLE_FILE_VALIDATION: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    const api = async (p: string, init?: RequestInit) => {
      const res = await fetch(`${base}${p}${p.includes("?") ? "&" : "?"}token=${token}`, init);
      return res;
    };
    await waitFor("the server", async () => ((await api("api/status")).ok ? true : null), 240);

    // Without the token nothing is served.
    expect((await fetch(`${base}api/kernelspecs`)).status).toBe(403);

    const page = await api("notebooks/00-hello.ipynb");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-notebook-name="00-hello.ipynb"');
    expect(html).toContain("<title>Jupyter Notebook</title>");

    const listing = (await (await api("api/contents")).json()) as { content: { name: string }[] };
    expect(listing.content.map((c) => c.name)).toContain("00-hello.ipynb");

    const specs = (await (await api("api/kernelspecs")).json()) as {
      kernelspecs: Record<string, { spec: { display_name: string; language: string } }>;
    };
    expect(Object.keys(specs.kernelspecs)).toEqual(expect.arrayContaining(["dealkit", "dealkit-cpu", "dealkit-gpu"]));
    expect(specs.kernelspecs.dealkit!.spec).toMatchObject({ display_name: "dealkit (TypeScript)", language: "typescript" });

    // Open 00-hello.ipynb with a dealkit kernel as the browser does (a session: the kernel runs in the notebook's
    // folder) and run a cell through the server's websocket.
    const started = await api("api/sessions", {
      method: "POST",
      body: JSON.stringify({ path: "00-hello.ipynb", type: "notebook", name: "", kernel: { name: "dealkit" } }),
    });
    expect(started.status).toBe(201);
    const { kernel } = (await started.json()) as { kernel: { id: string; name: string } };
    expect(kernel.name).toBe("dealkit");
    const code = 'import { VERSION } from "dealkit";\nconsole.log(require("node:path").basename(process.cwd()));\n`dealkit ${VERSION}`';
    const ws = spawnSync(python, [path.join(__dirname, "notebook_ws.py"), base, token, kernel.id, code], {
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(ws.status, ws.stderr).toBe(0);
    const msgs = ws.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg_type: string; content: Record<string, unknown> });
    const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
    expect(msgs).toContainEqual({ msg_type: "stream", content: { name: "stdout", text: "notebooks\n" } });
    expect(msgs).toContainEqual({
      msg_type: "execute_result",
      content: { execution_count: 1, data: { "text/plain": `'dealkit ${version}'` }, metadata: {} },
    });
    expect(msgs).toContainEqual({ msg_type: "execute_reply", content: { status: "ok" } });
    expect(processesWith(runtime).length).toBeGreaterThan(0); // the kernel runs with its connection file there

    // Stop the server as `jupyter notebook stop` does; it shuts its kernels down.
    expect((await api("api/shutdown", { method: "POST" })).ok).toBe(true);
    const code_ = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => server!.kill("SIGTERM"), 30_000);
      server!.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code_, log.slice(-2000)).toBe(0);
    await waitFor("the kernel to exit", async () => (processesWith(runtime).length === 0 ? true : null), 30);
  });
});
