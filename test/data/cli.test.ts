import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runConvertCommand } from "../../src/cli/commands/convert.js";
import { runValidateCommand } from "../../src/cli/commands/validate.js";
import { main } from "../../src/cli/main.js";
import { readCoco } from "../../src/data/index.js";
import { smallCoco, tmpDir } from "./fixtures.js";

const dir = tmpDir("cli");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function json(name: string, obj: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(obj));
  return f;
}

describe("dealkit validate", () => {
  it("passes a good file and lists warnings", async () => {
    const c = smallCoco() as any;
    c.annotations[0].bbox = [95, 70, 10, 20];
    const { report, text } = await runValidateCommand(json("ok.json", c), {});
    expect(report.usable).toBe(true);
    expect(report.warnings.map((w) => w.code)).toEqual(["box-outside-image"]);
    expect(text).toMatch(/3 images, 3 annotations, 2 categories/);
    expect(text).toMatch(/OK: usable \(1 warnings\)/);
  });

  it("fails an unusable file with every error located, and sets the exit code", async () => {
    const c = smallCoco() as any;
    c.annotations[0].image_id = 99;
    c.images[1].file_name = "../x.png";
    const f = json("bad.json", c);
    const { report } = await runValidateCommand(f, { json: true });
    expect(report.usable).toBe(false);
    expect(report.errors.map((e) => `${e.record}/${e.field}`)).toEqual(["image 2/file_name", "annotation 10/image_id"]);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await main(["node", "dealkit", "validate", f, "--json"]);
      expect(process.exitCode).toBe(1);
      expect(JSON.parse(String(out.mock.calls[0]![0])).errors).toHaveLength(2);
    } finally {
      out.mockRestore();
      process.exitCode = before;
    }
  });

  it("reports unreadable input as an error", async () => {
    const f = path.join(dir, "broken.json");
    fs.writeFileSync(f, "{\"images\": [");
    const { report } = await runValidateCommand(f, {});
    expect(report.usable).toBe(false);
    expect(report.errors[0]!.message).toMatch(/broken\.json: invalid JSON/);
    await expect(runValidateCommand(dir, {})).resolves.toMatchObject({ report: { usable: false } });
    await expect(runValidateCommand(f, { boxPolicy: "trim" })).rejects.toThrow(/"clip", "keep", "reject"/);
  });
});

describe("dealkit convert", () => {
  it("converts COCO -> YOLO -> COCO", async () => {
    const src = json("src.json", smallCoco());
    const { text } = await runConvertCommand(src, path.join(dir, "y"), { from: "coco", to: "yolo" });
    expect(text).toMatch(/warning: .*crowd\/ignore boxes left out/);
    // YOLO needs image sizes on the way back: they come from an images folder (--images).
    const sizes = path.join(dir, "sizes");
    const back = path.join(dir, "back.json");
    fs.mkdirSync(sizes, { recursive: true });
    const { saveImagePng } = await import("../../src/data/index.js");
    for (const im of (smallCoco() as any).images) await saveImagePng(path.join(sizes, im.file_name), { width: im.width, height: im.height, data: new Uint8Array(im.width * im.height * 3) });
    await runConvertCommand(path.join(dir, "y/labels"), back, { from: "yolo", to: "coco", images: sizes, classes: path.join(dir, "y/classes.txt") });
    const ds = await readCoco(back);
    expect(ds.numAnnotations).toBe(2);
    expect(ds.categories.map((c) => c.name)).toEqual(["car", "person"]);
    await expect(runConvertCommand(src, back, { from: "coco", to: "dota" })).rejects.toThrow(/--to must be one of "coco", "yolo"/);
  });
});
