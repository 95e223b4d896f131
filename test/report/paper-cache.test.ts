import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCachedResults, readCachedJson, writeCachedJson } from "../../src/report/paper-cache.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-paper-cache-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the paper reproduction's stage cache", () => {
  it("uses an entry only when it has the expected shape; a corrupt or foreign one is recomputed", () => {
    const file = path.join(dir, "p.json");
    const good = [{ image_id: 1, category_id: 2, bbox: [1, 2, 3, 4], score: 0.5 }];
    writeCachedJson(file, good);
    expect(readCachedJson(file, isCachedResults)).toEqual(good);
    for (const bad of [{ results: good }, [{ ...good[0], bbox: [1, 2, 3] }], [{ ...good[0], score: null }], [{ ...good[0], image_id: "1" }], [null]]) {
      fs.writeFileSync(file, JSON.stringify(bad));
      expect(readCachedJson(file, isCachedResults), JSON.stringify(bad)).toBeNull();
    }
    fs.writeFileSync(file, '[{"image_id": 1, "categ');
    expect(readCachedJson(file, isCachedResults)).toBeNull();
    expect(readCachedJson(path.join(dir, "none.json"))).toBeNull();
  });

  it("writes atomically and removes what crashed writers left beside an entry", () => {
    const file = path.join(dir, "q.json");
    fs.writeFileSync(`${file}.tmp-999999999-abc`, "[{"); // a crashed writer's temp (no such process)
    writeCachedJson(file, [1]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("q.json"))).toEqual(["q.json"]);
  });
});
