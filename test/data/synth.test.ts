import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Random } from "../../src/util/random.js";
import { SYNTH_DOMAINS, domainSpec, generateImage, synthCategories, type SynthImage } from "../../src/data/synth/index.js";

const sha = (img: SynthImage): string =>
  createHash("sha256").update(img.image.data).update(JSON.stringify(img.annotations)).digest("hex");

/** AI-TOD bins by box area, px^2: very tiny [0, 64), tiny [64, 256), small [256, 1024), medium >= 1024. */
const bin = (area: number): number => (area < 64 ? 0 : area < 256 ? 1 : area < 1024 ? 2 : 3);

describe("TinySet-mini catalog", () => {
  it("has six domains with 2-4 categories each, one or more held out, unique names and ids", () => {
    const cats = synthCategories();
    expect(SYNTH_DOMAINS).toHaveLength(6);
    expect(new Set(cats.map((c) => c.name)).size).toBe(cats.length);
    expect(cats.map((c) => c.id)).toEqual(cats.map((_, i) => i + 1));
    for (const d of SYNTH_DOMAINS) {
      const mine = cats.filter((c) => c.domain === d);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(mine.length).toBeLessThanOrEqual(4);
      expect(mine.some((c) => c.heldOut)).toBe(true);
      expect(mine.filter((c) => !c.heldOut).length).toBeGreaterThanOrEqual(2);
    }
  });

  it("names look-alike pairs inside one domain", () => {
    const cats = synthCategories();
    const pairs = cats.filter((c) => c.lookalike);
    expect(pairs.length).toBeGreaterThanOrEqual(6);
    for (const c of pairs) {
      const other = cats.find((o) => o.name === c.lookalike);
      expect(other, c.name).toBeDefined();
      expect(other!.domain).toBe(c.domain);
    }
  });

  it("returns copies", () => {
    synthCategories()[0]!.name = "changed";
    expect(synthCategories()[0]!.name).not.toBe("changed");
  });

  it("rejects an unknown domain, listing the valid ones", () => {
    expect(() => domainSpec("underwater")).toThrow(/remote-sensing.*agriculture/);
  });
});

describe("generateImage", () => {
  it.each(SYNTH_DOMAINS)("%s: the same seed gives identical pixels and boxes; another seed does not", (d) => {
    const a = generateImage(d, new Random(7), { width: 96 });
    const b = generateImage(d, new Random(7), { width: 96 });
    const c = generateImage(d, new Random(8), { width: 96 });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
  });

  it.each(SYNTH_DOMAINS)("%s: boxes lie in the image and belong to the domain's seen categories", (d) => {
    const cats = synthCategories().filter((c) => c.domain === d);
    let n = 0;
    for (let s = 0; s < 4; s++) {
      const g = generateImage(d, new Random(s), { width: 160, height: 128, density: "dense" });
      expect(g.image.data.length).toBe(160 * 128 * 3);
      for (const a of g.annotations) {
        const [x, y, w, h] = a.bboxXywh;
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x + w).toBeLessThanOrEqual(160.01);
        expect(y + h).toBeLessThanOrEqual(128.01);
        expect(w).toBeGreaterThanOrEqual(1);
        const cat = cats.find((c) => c.id === a.categoryId);
        expect(cat?.name).toBe(a.category);
        expect(cat!.heldOut).toBe(false);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it.each(SYNTH_DOMAINS)("%s: held-out mode puts held-out categories in every image", (d) => {
    const held = new Set(synthCategories().filter((c) => c.domain === d && c.heldOut).map((c) => c.id));
    for (let s = 0; s < 3; s++) {
      const g = generateImage(d, new Random(s), { width: 128, categories: "heldout", density: "sparse" });
      expect(g.annotations.some((a) => held.has(a.categoryId))).toBe(true);
    }
  });

  it("draws objects: pixels inside boxes differ from the scene without them", () => {
    // Same rng stream up to object placement: an empty scene is the background alone.
    const g = generateImage("uav", new Random(3), { width: 128, density: "medium" });
    expect(g.annotations.length).toBeGreaterThan(3);
    const values = new Set<number>();
    for (const a of g.annotations) {
      const [x, y] = a.bboxXywh;
      const i = (Math.floor(y) * 128 + Math.floor(x)) * 3;
      values.add(g.image.data[i]! >> 4);
    }
    expect(values.size).toBeGreaterThan(1);
  });

  it("object sizes cover the AI-TOD bins, mostly 2-32 px, none far beyond 64 px", () => {
    const counts = [0, 0, 0, 0];
    let small = 0, total = 0, maxSide = 0;
    for (const d of SYNTH_DOMAINS) {
      for (let s = 0; s < 6; s++) {
        for (const a of generateImage(d, new Random(100 + s), { width: 256 }).annotations) {
          counts[bin(a.area)]!++;
          const side = Math.max(a.bboxXywh[2], a.bboxXywh[3]);
          maxSide = Math.max(maxSide, side);
          if (side <= 32) small++;
          total++;
        }
      }
    }
    for (const c of counts) expect(c).toBeGreaterThan(0.01 * total);
    expect(small / total).toBeGreaterThan(0.8);
    expect(maxSide).toBeLessThan(110);
  });

  it("dense scenes crowd more objects than sparse ones", () => {
    let sparse = 0, dense = 0;
    for (let s = 0; s < 4; s++) {
      sparse += generateImage("remote-sensing", new Random(s), { width: 256, density: "sparse" }).annotations.length;
      dense += generateImage("remote-sensing", new Random(s), { width: 256, density: "dense" }).annotations.length;
    }
    expect(dense).toBeGreaterThan(3 * sparse);
  });

  it("shifted statistics change the pixels of the same scene", () => {
    const means = (g: SynthImage) => [0, 1, 2].map((k) => g.image.data.filter((_, i) => i % 3 === k).reduce((s, v) => s + v, 0) / (g.image.data.length / 3));
    for (const d of SYNTH_DOMAINS) {
      const a = means(generateImage(d, new Random(5), { width: 96 }));
      const b = means(generateImage(d, new Random(5), { width: 96, shifted: true }));
      expect(Math.max(...a.map((v, k) => Math.abs(v - b[k]!))), d).toBeGreaterThan(8);
    }
  });

  it("makes one large scene with thousands of objects", () => {
    const g = generateImage("remote-sensing", new Random(1), { width: 2048, density: "dense" });
    expect(g.image.width).toBe(2048);
    expect(g.annotations.length).toBeGreaterThan(1000);
  });

  it("rejects bad options with the valid choices", () => {
    expect(() => generateImage("uav", new Random(1), { density: "packed" as never })).toThrow(/sparse/);
    expect(() => generateImage("uav", new Random(1), { categories: "unseen" as never })).toThrow(/heldout/);
    expect(() => generateImage("uav", new Random(1), { width: 4 })).toThrow(/at least/);
  });
});

describe("categories are told apart by appearance", () => {
  // A click carries category information only if categories look different: a nearest-centroid classifier
  // on crude crop features (mean colour, colour spread, box aspect) must beat chance clearly in each domain.
  it.each(SYNTH_DOMAINS)("%s", (d) => {
    const feats: { cat: number; f: number[] }[] = [];
    for (let s = 0; s < 12; s++) {
      const g = generateImage(d, new Random(500 + s), { width: 256, categories: "all" });
      for (const a of g.annotations) {
        const [x, y, w, h] = a.bboxXywh;
        if (w * h < 30 || a.occlusion > 0.2) continue;
        const f = [0, 0, 0, 0, 0, 0];
        let n = 0;
        for (let yy = Math.floor(y); yy < Math.ceil(y + h) && yy < 256; yy++) {
          for (let xx = Math.floor(x); xx < Math.ceil(x + w) && xx < 256; xx++) {
            const i = (yy * 256 + xx) * 3;
            for (let k = 0; k < 3; k++) {
              f[k]! += g.image.data[i + k]!;
              f[k + 3]! += g.image.data[i + k]! ** 2;
            }
            n++;
          }
        }
        const m = f.slice(0, 3).map((v) => v / n);
        const sd = f.slice(3).map((v, k) => Math.sqrt(Math.max(0, v / n - m[k]! ** 2)));
        feats.push({ cat: a.categoryId, f: [...m, ...sd, 60 * Math.log(w / h)] });
      }
    }
    const train = feats.filter((_, i) => i % 2 === 0), test = feats.filter((_, i) => i % 2 === 1);
    const cats = [...new Set(train.map((t) => t.cat))];
    const centroid = new Map(cats.map((c) => {
      const rows = train.filter((t) => t.cat === c);
      return [c, rows[0]!.f.map((_, k) => rows.reduce((s, r) => s + r.f[k]!, 0) / rows.length)];
    }));
    let correct = 0;
    for (const t of test) {
      let best = -1, bestD = Infinity;
      for (const [c, m] of centroid) {
        const dd = m.reduce((s, v, k) => s + (v - t.f[k]!) ** 2, 0);
        if (dd < bestD) [best, bestD] = [c, dd];
      }
      if (best === t.cat) correct++;
    }
    expect(cats.length).toBeGreaterThanOrEqual(3);
    expect(correct / test.length).toBeGreaterThan(1.5 / cats.length);
  });
});
