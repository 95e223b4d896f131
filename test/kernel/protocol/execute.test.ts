import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellRegistry } from "../../../src/kernel/protocol/cells.js";
import { CellExecutor } from "../../../src/kernel/protocol/execute.js";
import { userFrames } from "../../../src/kernel/protocol/traceback.js";

// tslab's real converter and executor, in this process. Line and column numbers below are counted by hand in the
// cells as written here.
const stderr: string[] = [];
const cells = new CellExecutor(process.cwd(), (t) => stderr.push(t));
// vitest rewrites stack traces (Error.prepareStackTrace); the kernel runs in plain node, which formats them itself.
const vitestPrepare = Error.prepareStackTrace;
beforeAll(() => {
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
});
afterAll(() => {
  Error.prepareStackTrace = vitestPrepare;
  cells.close();
});

describe("running cells with tslab's engine", { timeout: 60_000 }, () => {
  it("returns a final expression's value and keeps earlier cells' variables, in shorthand too", async () => {
    expect(await cells.execute("const base = 20;\nbase + 1", "In[1]")).toEqual({ status: "ok", hasValue: true, value: 21 });
    expect(await cells.execute("let unused = 1;", "In[2]")).toEqual({ status: "ok", hasValue: false });
    const shorthand = await cells.execute("const wrapped = { base };\nwrapped", "In[3]");
    expect(shorthand).toEqual({ status: "ok", hasValue: true, value: { base: 20 } });
  });

  it("reports a runtime error in the lines of the cells where it was thrown and called", async () => {
    const define = [
      'import * as path from "node:path";', // 1
      "interface Box {", // 2
      "  w: number;", // 3
      "}", // 4
      "type Name = string;", // 5
      "function check(box: Box, name: Name): number {", // 6
      "  const label: string = path.basename(name);", // 7
      "  if (box.w < 0) {", // 8
      "    throw new RangeError(`negative width in ${label}`);", // 9
      "  }", // 10
      "  return box.w;", // 11
      "}", // 12
    ].join("\n");
    expect((await cells.execute(define, "In[4]")).status).toBe("ok");
    const call = ["const good = check({ w: 1 }, 'a');", "", "const bad = { w: -good };", "check(bad, 'dir/file.ts');"].join("\n");
    const outcome = await cells.execute(call, "In[5]");
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error.ename).toBe("RangeError");
    expect(outcome.error.evalue).toBe("negative width in file.ts");
    expect(outcome.error.traceback).toEqual([
      "In[4]:9",
      "    throw new RangeError(`negative width in ${label}`);",
      "          ^",
      "",
      "RangeError: negative width in file.ts",
      "    at check (In[4]:9:11)",
      "    at In[5]:4:1",
    ]);
  });

  it("reports type errors at the line and column of the cell as typed (shorthand expanded before them)", async () => {
    const outcome = await cells.execute('const w = { base, good: 1 }; const n: number = "x";', "In[6]");
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error.ename).toBe("TSError");
    expect(outcome.error.traceback).toEqual([
      "In[6]:1:36 - error TS2322: Type 'string' is not assignable to type 'number'.",
      'const w = { base, good: 1 }; const n: number = "x";',
      `${" ".repeat(35)}~`,
    ]);
  });

  it("reports what tslab's own code adds to a cell without a line of the cell", async () => {
    const outcome = await cells.execute("export const twice = 2;", "In[9]");
    expect(outcome.status === "error" && outcome.error.traceback.filter((l) => l.startsWith("In[9] - error TS"))).toHaveLength(1);
  });

  it("reports errors of awaited code and values that are not errors", async () => {
    const awaited = await cells.execute("await Promise.resolve();\nconst o: any = undefined;\no.x", "In[7]");
    expect(awaited.status === "error" && awaited.error.ename).toBe("TypeError");
    expect(awaited.status === "error" && awaited.error.traceback).toContain("    at In[7]:3:3");
    const thrown = await cells.execute("throw { code: 7 };", "In[8]");
    expect(thrown.status === "error" && [thrown.error.ename, thrown.error.evalue]).toEqual(["Uncaught", "{ code: 7 }"]);
  });
});

describe("stack frames", () => {
  it("keep library frames and drop the kernel's own (tslab, node's vm and internals)", () => {
    const stack = [
      "Error: bad input",
      "    at readCoco (/home/u/proj/node_modules/dealkit/dist/data/coco.js:40:11)",
      "    at Object.openSync (node:fs:596:3)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at Script.runInThisContext (node:vm:137:12)",
      "    at Object.execute (/x/node_modules/tslab/dist/executor.js:160:38)",
      "    at evalmachine.<anonymous>:3:1",
      "    at DealkitKernel.execute (/x/dist/kernel/protocol/kernel.js:10:1)",
    ].join("\n");
    expect(userFrames(stack, new CellRegistry())).toEqual({
      lines: [
        "    at readCoco (/home/u/proj/node_modules/dealkit/dist/data/coco.js:40:11)",
        "    at Object.openSync (node:fs:596:3)",
      ],
      first: null,
    });
  });
});
