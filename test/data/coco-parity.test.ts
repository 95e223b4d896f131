import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCocoStreaming, readCocoSync } from "../../src/data/formats/coco.js";
import { smallCoco, tmpDir } from "./fixtures.js";

const dir = tmpDir("coco-parity");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const good = JSON.stringify(smallCoco());
/** Texts by hand: each is accepted or refused by both paths (the streaming one with tiny chunks and batches too). */
const variants: [string, string | Buffer, boolean][] = [
  ["plain", good, true],
  ["utf-8 bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]), true],
  ["utf-16 bom", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, "utf16le")]), false],
  ["utf-16 without bom", Buffer.from(good, "utf16le"), false],
  ["trailing comma in the object", good.replace(/\]\}$/, "],}"), false],
  ["trailing comma in images", good.replace(/\}\],"categories"/, '},],"categories"'), false],
  ["trailing comma in annotations", good.replace(/\}\]\}$/, "},]}"), false],
  ["trailing comma in a value object", good.replace('{"description":"tiny"}', '{"description":"tiny",}'), false],
  ["double comma between keys", good.replace(',"images"', ',,"images"'), false],
  ["leading comma in the object", good.replace(/^\{/, "{,"), false],
  ["missing comma between keys", good.replace(',"images"', ' "images"'), false],
  ["whitespace everywhere", good.replace(/,/g, " ,\n ").replace(/:/g, " : "), true],
];

describe("COCO: the streaming and the in-memory reader accept the same files", () => {
  for (const [name, text, ok] of variants) {
    it(`${name}: ${ok ? "accepted" : "refused"} by both`, () => {
      const f = path.join(dir, `${name.replace(/\W+/g, "-")}.json`);
      fs.writeFileSync(f, text);
      const outcome = (read: () => unknown) => {
        try {
          read();
          return "ok";
        } catch (err) {
          expect((err as Error).name, (err as Error).message).toBe("DealkitInputError");
          expect((err as Error).message).toContain(f);
          return "refused";
        }
      };
      const want = ok ? "ok" : "refused";
      expect(outcome(() => readCocoSync(f)), "in memory").toBe(want);
      expect(outcome(() => readCocoStreaming(f)), "streaming").toBe(want);
      expect(outcome(() => readCocoStreaming(f, { chunkBytes: 7, batchBytes: 5 })), "streaming, tiny chunks").toBe(want);
    });
  }
});
