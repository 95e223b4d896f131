import { type Rgb, disc, ellipse, mix, ring, star, capsule } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { BLACK, coverMask, jitter } from "./common.js";

const SOIL = 0, ROW = 1;

const broadleafWeed: CategorySpec = {
  name: "broadleaf-weed",
  heldOut: false,
  lookalike: "thistle",
  description: "weed rosette between crop rows: 4-6 rounded dark-green leaves around a light centre",
  sizePx: [5, 32],
  regions: [SOIL],
  cluster: "blob",
  weight: 3,
  footprint: 0.45,
  draw(r, rng, p, ctx) {
    const R = p.size / 2, n = rng.intBetween(4, 6), a0 = rng.uniform(0, 6.28);
    const c = ctx.tone(jitter(rng, [45, 105, 40]));
    for (let k = 0; k < n; k++) {
      const a = a0 + (k * 6.28) / n;
      r.draw(ellipse(p.x + Math.cos(a) * R * 0.5, p.y + Math.sin(a) * R * 0.5, R * 0.5, R * 0.3, a), mix(c, [255, 255, 255], k % 2 ? 0 : 0.08));
    }
    r.draw(disc(p.x, p.y, Math.max(0.5, R * 0.15)), ctx.tone([150, 190, 90]));
    return [p.x - R, p.y - R, p.x + R, p.y + R];
  },
};

const thistle: CategorySpec = {
  name: "thistle",
  heldOut: false,
  lookalike: "broadleaf-weed",
  description: "thistle rosette: a spiky many-pointed grey-green star with a small purple flower in the middle",
  sizePx: [5, 32],
  regions: [SOIL],
  cluster: "blob",
  weight: 2,
  footprint: 0.45,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    const s = star(p.x, p.y, R * 0.45, R, rng.intBetween(7, 9), rng.uniform(0, 6.28));
    r.draw(s, ctx.tone(jitter(rng, [125, 150, 110])));
    r.draw(disc(p.x, p.y, Math.max(0.5, R * 0.22)), ctx.tone([170, 60, 170]));
    return [s.x0, s.y0, s.x1, s.y1];
  },
};

const beetle: CategorySpec = {
  name: "beetle",
  heldOut: false,
  description: "pest beetle on leaves or soil: a shiny dark oval with a split wing-case line and a small head",
  sizePx: [3, 10],
  cluster: "blob",
  weight: 3,
  footprint: 0.5,
  draw(r, rng, p, ctx) {
    const L = p.size, co = Math.cos(p.angle), si = Math.sin(p.angle);
    const c = ctx.tone(jitter(rng, rng.pick<Rgb>([[30, 25, 20], [120, 30, 20], [40, 50, 30]])));
    const body = ellipse(p.x, p.y, L * 0.4, L * 0.28, p.angle);
    r.draw(body, c, 1, (x, y) => 1 + 0.8 * Math.max(0, 1 - Math.hypot(x - p.x + L * 0.1, y - p.y + L * 0.1) / (L * 0.2)));
    const head = disc(p.x + co * L * 0.4, p.y + si * L * 0.4, L * 0.12);
    r.draw(head, mix(c, BLACK, 0.5));
    if (L > 5) r.draw(capsule(p.x - co * L * 0.35, p.y - si * L * 0.35, p.x + co * L * 0.25, p.y + si * L * 0.25, 0.35), mix(c, BLACK, 0.6), 0.7);
    return [Math.min(body.x0, head.x0), Math.min(body.y0, head.y0), Math.max(body.x1, head.x1), Math.max(body.y1, head.y1)];
  },
};

const hayBale: CategorySpec = {
  name: "hay-bale",
  heldOut: true,
  description: "round hay bale from above: golden disc with darker concentric rings and a shadow",
  sizePx: [16, 64],
  cluster: "line",
  weight: 1,
  footprint: 0.5,
  spacing: [1.4, 1],
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    r.draw(disc(p.x + R * 0.3, p.y + R * 0.3, R), BLACK, 0.4);
    const c = ctx.tone(jitter(rng, [215, 180, 95]));
    const top = disc(p.x, p.y, R);
    r.draw(top, c);
    for (let k = 1; k < 4; k++) r.draw(ring(p.x, p.y, (R * k) / 4, Math.max(0.4, R * 0.06)), mix(c, [120, 90, 40], 0.5), 0.7);
    return [top.x0, top.y0, top.x1, top.y1];
  },
};

/** Agriculture: top-down field views, crop rows on soil, weeds, pests and bales. */
export const agriculture: DomainSpec = {
  name: "agriculture",
  title: "Agriculture",
  description: "top-down field views: textured soil, parallel crop rows of leafy plants, stray leaves covering objects",
  categories: [broadleafWeed, thistle, beetle, hayBale],
  effects: { blur: [0, 0.9], noise: [1, 5], contrast: [0.5, 1] },
  background(r, rng, { shifted }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    r.fillField(fbm(rng, W, H, 40, 5), shifted ? [170, 150, 110] : [120, 90, 62], shifted ? [140, 120, 90] : [90, 66, 46]);
    const angle = rng.uniform(0, Math.PI), spacing = rng.uniform(14, 26), rowW = rng.uniform(4, 9);
    const co = Math.cos(angle), si = Math.sin(angle);
    const leaf = fbm(rng, W, H, 6, 3);
    const crop: Rgb = shifted ? [150, 150, 70] : [70, 130, 50];
    const phase = rng.uniform(0, spacing);
    const d = r.data;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = x * -si + y * co + phase;
        const off = Math.abs((((v % spacing) + spacing) % spacing) - spacing / 2);
        const p = y * W + x;
        const cover = Math.max(0, Math.min(1, (rowW / 2 - off) / 1.5 + (leaf[p]! - 0.5) * 2));
        if (cover <= 0) continue;
        const c = mix(crop, [40, 90, 35], leaf[p]!);
        d[p * 3] = d[p * 3]! + (c[0] - d[p * 3]!) * cover;
        d[p * 3 + 1] = d[p * 3 + 1]! + (c[1] - d[p * 3 + 1]!) * cover;
        d[p * 3 + 2] = d[p * 3 + 2]! + (c[2] - d[p * 3 + 2]!) * cover;
        if (cover > 0.5) labels[p] = ROW;
      }
    }
    return {
      labels,
      occlude(r2, rng2, mask) {
        const n = Math.round(((W * H) / 65536) * rng2.intBetween(5, 30));
        for (let i = 0; i < n; i++) {
          const x = rng2.uniform(0, W), y = rng2.uniform(0, H), L = rng2.uniform(3, 8);
          const s = ellipse(x, y, L, L * 0.4, rng2.uniform(0, 6.28));
          r2.draw(s, jitter(rng2, crop));
          coverMask(mask, W, H, s);
        }
      },
    };
  },
};
