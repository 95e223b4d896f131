import type { Random } from "../../../util/random.js";
import { type Rgb, capsule, disc, mix, ring } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { jitter } from "./common.js";

const PLASMA = 0, RBC = 1;
const NUCLEUS: Rgb = [88, 40, 120];

function cytoplasm(r: Parameters<CategorySpec["draw"]>[0], x: number, y: number, R: number, c: Rgb): ReturnType<typeof disc> {
  const s = disc(x, y, R);
  r.draw(s, c, 0.95, (px, py) => 1 + 0.05 * Math.sin((px * 7.3 + py * 5.1) % 6.28));
  return s;
}

const parasite: CategorySpec = {
  name: "parasite",
  heldOut: false,
  description: "malaria ring form inside a red cell: a thin purple ring with one dark chromatin dot",
  sizePx: [3, 9],
  regions: [RBC],
  cluster: "none",
  weight: 3,
  footprint: 0.9,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    const t = Math.max(0.45, R * 0.35);
    const rr = ring(p.x, p.y, R - t / 2, t);
    r.draw(rr, ctx.tone([120, 60, 150]));
    const a = rng.uniform(0, 6.28);
    r.draw(disc(p.x + Math.cos(a) * (R - t / 2), p.y + Math.sin(a) * (R - t / 2), Math.max(0.5, R * 0.35)), ctx.tone([70, 20, 90]));
    return [rr.x0, rr.y0, rr.x1, rr.y1];
  },
};

const lymphocyte: CategorySpec = {
  name: "lymphocyte",
  heldOut: false,
  lookalike: "neutrophil",
  description: "white cell with one large round dark-purple nucleus filling it, a thin pale-blue rim",
  sizePx: [10, 26],
  cluster: "blob",
  weight: 1.5,
  footprint: 0.55,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    const cell = cytoplasm(r, p.x, p.y, R, ctx.tone([175, 195, 230]));
    const o = R * 0.1;
    r.draw(disc(p.x + rng.uniform(-o, o), p.y + rng.uniform(-o, o), R * 0.8), ctx.tone(jitter(rng, NUCLEUS, 0.06)), 1, (x, y) => 0.92 + 0.1 * Math.sin(x * 1.7) * Math.cos(y * 1.9));
    return [cell.x0, cell.y0, cell.x1, cell.y1];
  },
};

const neutrophil: CategorySpec = {
  name: "neutrophil",
  heldOut: false,
  lookalike: "lymphocyte",
  description: "white cell with pale lilac granular cytoplasm and a nucleus of 3-5 purple lobes joined by thin strands",
  sizePx: [12, 32],
  cluster: "blob",
  weight: 1.5,
  footprint: 0.55,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    const cell = cytoplasm(r, p.x, p.y, R, ctx.tone([215, 190, 215]));
    const n = rng.intBetween(3, 5), a0 = rng.uniform(0, 6.28);
    const nuc = ctx.tone(jitter(rng, NUCLEUS, 0.06));
    let prev: [number, number] | null = null;
    for (let k = 0; k < n; k++) {
      const a = a0 + (k * 4.4) / n;
      const q: [number, number] = [p.x + Math.cos(a) * R * 0.45, p.y + Math.sin(a) * R * 0.45];
      if (prev) r.draw(capsule(prev[0], prev[1], q[0], q[1], Math.max(0.4, R * 0.08)), nuc);
      r.draw(disc(q[0], q[1], R * 0.26), nuc);
      prev = q;
    }
    return [cell.x0, cell.y0, cell.x1, cell.y1];
  },
};

const eosinophil: CategorySpec = {
  name: "eosinophil",
  heldOut: true,
  description: "white cell packed with orange-red granules around a two-lobed purple nucleus",
  sizePx: [12, 32],
  cluster: "blob",
  weight: 1.5,
  footprint: 0.55,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    const cell = cytoplasm(r, p.x, p.y, R, ctx.tone([235, 150, 110]));
    const g = Math.max(0.5, R * 0.09);
    for (let k = 0; k < 40; k++) {
      const a = rng.uniform(0, 6.28), d = R * Math.sqrt(rng.next()) * 0.9;
      r.draw(disc(p.x + Math.cos(a) * d, p.y + Math.sin(a) * d, g), ctx.tone([215, 80, 50]), 0.8);
    }
    const a = rng.uniform(0, 6.28), o = R * 0.32;
    const nuc = ctx.tone(jitter(rng, NUCLEUS, 0.06));
    r.draw(capsule(p.x - Math.cos(a) * o, p.y - Math.sin(a) * o, p.x + Math.cos(a) * o, p.y + Math.sin(a) * o, R * 0.08), nuc);
    r.draw(disc(p.x - Math.cos(a) * o, p.y - Math.sin(a) * o, R * 0.3), nuc);
    r.draw(disc(p.x + Math.cos(a) * o, p.y + Math.sin(a) * o, R * 0.3), nuc);
    return [cell.x0, cell.y0, cell.x1, cell.y1];
  },
};

/** Microscopy: stained blood smears, a field of red cells with white cells and parasites. */
export const microscopy: DomainSpec = {
  name: "microscopy",
  title: "Microscopy",
  description: "bright-field blood smears: pale plasma, a dense field of overlapping red cells with pale centres, often slightly out of focus",
  categories: [parasite, lymphocyte, neutrophil, eosinophil],
  effects: { blur: [0.3, 1.3], noise: [1, 4], contrast: [0.6, 1] },
  background(r, rng, { shifted }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    r.fillField(fbm(rng, W, H, 64, 4), shifted ? [200, 205, 225] : [236, 222, 226], shifted ? [185, 190, 215] : [225, 205, 215]);
    const cellR = rng.uniform(7, 11);
    const fill = rng.uniform(0.35, 0.75);
    const n = Math.round((fill * W * H) / (Math.PI * cellR * cellR));
    const rbcs: [number, number, number][] = [];
    const rbcColor: Rgb = shifted ? [190, 150, 185] : [222, 140, 145];
    for (let i = 0; i < n; i++) {
      const x = rng.uniform(-cellR, W + cellR), y = rng.uniform(-cellR, H + cellR), R = cellR * rng.uniform(0.85, 1.15);
      const c = jitter(rng, rbcColor, 0.05);
      r.draw(disc(x, y, R), c, 0.92, (px, py) => {
        const d = Math.hypot(px - x, py - y) / R;
        return 1.0 + 0.14 * Math.exp(-d * d * 5) - 0.08 * d * d;
      }, labels, RBC);
      r.draw(ring(x, y, R - 0.5, 1), mix(c, [120, 60, 80], 0.3), 0.5);
      rbcs.push([x, y, R]);
    }
    return {
      labels,
      anchor(cat, rng2: Random) {
        if (cat !== parasite || !rbcs.length) return null;
        for (let t = 0; t < 10; t++) {
          const [x, y, R] = rng2.pick(rbcs);
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const a = rng2.uniform(0, 6.28), d = rng2.uniform(0, 0.4) * R;
          return { x: x + Math.cos(a) * d, y: y + Math.sin(a) * d, angle: 0 };
        }
        return null;
      },
    };
  },
};
