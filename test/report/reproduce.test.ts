import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerReproduce } from "../../src/cli/commands/reproduce.js";
import type { runNotebooks } from "../../src/kernel/runner.js";
import { defaultReproduceNotebooks, reportIndexHtml, reproduce } from "../../src/report/index.js";

const fixtures = path.resolve(__dirname, "..", "notebooks", "fixtures");
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-report-"));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe("reproduce", { timeout: 300_000 }, () => {
  it("runs the notebooks through Jupyter and writes an index linking their HTML exports", async () => {
    const notebooks = [path.join(fixtures, "pass.ipynb"), path.join(fixtures, "fail.ipynb")];
    const result = await reproduce({ outDir, notebooks });
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.ok)).toEqual([true, false]);
    expect(result.reportHtml).toBe(path.join(outDir, "index.html"));
    const index = fs.readFileSync(result.reportHtml, "utf8");
    expect(index).toContain('<a href="notebooks/pass.html">pass.ipynb</a>');
    expect(index).toContain("deliberate failure from the fixture");
    expect(fs.existsSync(path.join(outDir, "notebooks", "pass.html"))).toBe(true);
  });

  it("defaults to the paper-reproduction notebook", () => {
    expect(defaultReproduceNotebooks().map((p) => path.basename(p))).toEqual(["07-reproduce-paper.ipynb"]);
  });

  it("makes the main notebook's export the report's index, the status page runs.html", async () => {
    const dir = path.join(outDir, "main");
    const result = await reproduce({ outDir: dir, notebooks: [path.join(fixtures, "pass.ipynb")], mainNotebook: "pass.ipynb" });
    expect(result.ok).toBe(true);
    expect(fs.readFileSync(result.reportHtml, "utf8")).toBe(fs.readFileSync(path.join(dir, "notebooks", "pass.html"), "utf8"));
    expect(fs.readFileSync(path.join(dir, "runs.html"), "utf8")).toContain('<a href="notebooks/pass.html">pass.ipynb</a>');
  });

  it("writes the folder whole: a temp sibling swapped in, stale temps removed, a folder of other files refused", async () => {
    const stand: typeof runNotebooks = async (notebooks, o) => {
      fs.mkdirSync(o!.outDir!, { recursive: true });
      return notebooks.map((nb) => {
        const html = path.join(o!.outDir!, path.basename(nb).replace(/\.ipynb$/, ".html"));
        fs.writeFileSync(html, `<p>${path.basename(nb)}</p>`);
        // The report is written into the temp sibling, never into the target.
        expect(path.basename(path.dirname(o!.outDir!))).toMatch(/^swap\.tmp-\d+-/);
        return { notebook: nb, ok: true, seconds: 1, cells: [], failures: [], html };
      });
    };
    const dir = path.join(outDir, "swap");
    fs.mkdirSync(`${dir}.tmp-999999999-abc`, { recursive: true }); // a crashed run's temp (no such process)
    const first = await reproduce({ outDir: dir, notebooks: ["a.ipynb"], mainNotebook: "a.ipynb", runNotebooks: stand });
    expect(first.results[0]!.html).toBe(path.join(dir, "notebooks", "a.html"));
    expect(fs.readFileSync(path.join(dir, "index.html"), "utf8")).toBe("<p>a.ipynb</p>");
    await reproduce({ outDir: dir, notebooks: ["b.ipynb"], mainNotebook: "b.ipynb", runNotebooks: stand });
    expect(fs.readdirSync(path.join(dir, "notebooks"))).toEqual(["b.html"]); // the previous report replaced whole
    expect(fs.readdirSync(outDir).filter((f) => f.startsWith("swap."))).toEqual([]);
    const foreign = path.join(outDir, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "thesis.tex"), "mine");
    await expect(reproduce({ outDir: foreign, notebooks: ["a.ipynb"], runNotebooks: stand })).rejects.toThrow(/holds other files, not a report folder/);
    expect(fs.readdirSync(foreign)).toEqual(["thesis.tex"]);
  });

  it("escapes what it puts in the report", () => {
    const html = reportIndexHtml(
      [{ notebook: "x/<b>.ipynb", ok: false, seconds: 1, cells: [], failures: [{ cell: 1, codeCell: 1, kind: "error", source: "", message: "<script>" }] }],
      "x",
    );
    expect(html).toContain("&lt;b&gt;.ipynb");
    expect(html).toContain("cell 1: &lt;script&gt;");
    expect(html).not.toContain("<script>");
  });

  it("is the `dealkit reproduce` command, which checks its options", async () => {
    const program = new Command().exitOverride();
    registerReproduce(program);
    expect(program.commands.map((c) => c.name())).toContain("reproduce");
    await expect(program.parseAsync(["node", "dealkit", "reproduce", "--timeout", "soon"])).rejects.toThrow(/option '--timeout <seconds>' argument 'soon' is invalid\. must be a number in \[1, 604800\]/);
  });
});
