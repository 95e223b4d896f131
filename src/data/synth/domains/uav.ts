import type { Random } from "../../../util/random.js";
import { type Rgb, capsule, disc, ellipse, mix, rect } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { BLACK, type Road, anchorOnRoad, boundsOf, coverMask, jitter, paintPatches, paintRoad } from "./common.js";

const GRASS = 0, ROAD = 1, WALK = 2, ROOF = 3;
const CLOTHES: Rgb[] = [[200, 40, 40], [40, 60, 160], [230, 230, 230], [30, 30, 30], [230, 190, 40], [60, 140, 70], [160, 90, 160]];
const PAINT: Rgb[] = [[240, 240, 240], [25, 25, 30], [150, 150, 155], [170, 25, 30], [30, 60, 140], [90, 90, 95]];

const pedestrian: CategorySpec = {
  name: "pedestrian",
  heldOut: false,
  description: "person seen obliquely from a drone: dark head dot on a coloured upright body, with a shadow",
  sizePx: [4, 16],
  regions: [WALK, GRASS],
  cluster: "blob",
  weight: 4,
  footprint: 0.22,
  draw(r, rng, p, ctx) {
    const h = p.size, w = p.size * 0.42;
    r.draw(ellipse(p.x + h * 0.3, p.y + h * 0.35, h * 0.35, w * 0.3, 0.5), BLACK, 0.3);
    const body = ellipse(p.x, p.y + h * 0.1, w / 2, h * 0.4);
    r.draw(body, ctx.tone(jitter(rng, rng.pick(CLOTHES))));
    const head = disc(p.x, p.y - h * 0.32, Math.max(0.6, w * 0.38));
    r.draw(head, ctx.tone(rng.bool(0.6) ? [45, 35, 30] : [190, 150, 120]));
    return [Math.min(body.x0, head.x0), head.y0, Math.max(body.x1, head.x1), body.y1];
  },
};

const car: CategorySpec = {
  name: "car",
  heldOut: false,
  lookalike: "van",
  description: "car from a drone: rounded body (2:1) with windscreen, rear window and a roof between them",
  sizePx: [8, 28],
  regions: [ROAD],
  cluster: "grid",
  weight: 4,
  footprint: 0.3,
  spacing: [1.2, 0.65],
  draw(r, rng, p, ctx) {
    const L = p.size, Wd = L * 0.5;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    const at = (u: number): [number, number] => [p.x + co * u, p.y + si * u];
    r.draw(rect(p.x + L * 0.08, p.y + L * 0.1, L, Wd, p.angle, Wd * 0.35), BLACK, 0.35);
    const body = rect(p.x, p.y, L, Wd, p.angle, Wd * 0.35);
    const c = ctx.tone(jitter(rng, rng.pick(PAINT)));
    r.draw(body, c);
    const glass = ctx.tone([30, 36, 48]);
    r.draw(rect(...at(L * 0.16), L * 0.16, Wd * 0.8, p.angle, Wd * 0.1), glass);
    r.draw(rect(...at(-L * 0.24), L * 0.1, Wd * 0.76, p.angle, Wd * 0.1), glass);
    r.draw(rect(...at(-L * 0.04), L * 0.24, Wd * 0.72, p.angle), mix(c, [255, 255, 255], 0.12));
    return boundsOf(body);
  },
};

const van: CategorySpec = {
  name: "van",
  heldOut: false,
  lookalike: "car",
  description: "van from a drone: boxier and longer than a car, one flat pale roof panel, windscreen only at the front tip",
  sizePx: [10, 32],
  regions: [ROAD],
  cluster: "grid",
  weight: 2,
  footprint: 0.3,
  spacing: [1.15, 0.7],
  draw(r, rng, p, ctx) {
    const L = p.size, Wd = L * 0.46;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    r.draw(rect(p.x + L * 0.1, p.y + L * 0.12, L, Wd, p.angle, Wd * 0.12), BLACK, 0.4);
    const body = rect(p.x, p.y, L, Wd, p.angle, Wd * 0.12);
    const c = ctx.tone(jitter(rng, rng.pick<Rgb>([[235, 235, 235], [215, 215, 210], [120, 125, 130], [40, 70, 130]])));
    r.draw(body, c);
    r.draw(rect(p.x + co * L * 0.38, p.y + si * L * 0.38, L * 0.1, Wd * 0.84, p.angle), ctx.tone([30, 36, 48]));
    r.draw(rect(p.x - co * L * 0.08, p.y - si * L * 0.08, L * 0.7, Wd * 0.8, p.angle), mix(c, [255, 255, 255], 0.25));
    return boundsOf(body);
  },
};

const bus: CategorySpec = {
  name: "bus",
  heldOut: true,
  description: "bus from a drone: long box (3.3:1), bright roof with grey roof units in a row",
  sizePx: [20, 64],
  regions: [ROAD],
  cluster: "line",
  weight: 1,
  footprint: 0.3,
  spacing: [1.1, 0.5],
  draw(r, rng, p, ctx) {
    const L = p.size, Wd = L * 0.3;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    r.draw(rect(p.x + L * 0.06, p.y + L * 0.08, L, Wd, p.angle, Wd * 0.1), BLACK, 0.4);
    const body = rect(p.x, p.y, L, Wd, p.angle, Wd * 0.1);
    r.draw(body, ctx.tone(jitter(rng, rng.pick<Rgb>([[230, 190, 30], [200, 40, 35], [240, 240, 240], [40, 120, 60]]))));
    for (const u of [-0.3, -0.05, 0.2]) r.draw(rect(p.x + co * u * L, p.y + si * u * L, L * 0.1, Wd * 0.5, p.angle), ctx.tone([150, 150, 150]));
    r.draw(rect(p.x + co * L * 0.46, p.y + si * L * 0.46, L * 0.05, Wd * 0.86, p.angle), ctx.tone([30, 36, 48]));
    return boundsOf(body);
  },
};

/** UAV: low-altitude drone views of streets, sidewalks, plazas, trees and people. */
export const uav: DomainSpec = {
  name: "uav",
  title: "UAV",
  description: "low-altitude drone views: streets with lane marks, sidewalks and paved plazas, lawns, roofs, tree crowns over objects",
  categories: [pedestrian, car, van, bus],
  effects: { blur: [0, 1.0], noise: [1.5, 6], contrast: [0.5, 1] },
  background(r, rng, { shifted }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    const k = Math.max(1, Math.round((W * H) / 65536));
    r.fillField(fbm(rng, W, H, 64, 5), shifted ? [210, 212, 215] : [86, 120, 60], shifted ? [180, 182, 190] : [120, 130, 78]);
    paintPatches(r, rng, rng.intBetween(1, 3) * k, [40, 110], [[176, 170, 160], [160, 156, 150]], labels, WALK);
    const roads: Road[] = [];
    const base = rng.uniform(0, Math.PI);
    for (let i = 0; i < rng.intBetween(1, 3) * Math.max(1, Math.round(Math.sqrt(k))); i++) {
      const angle = base + (i % 2) * Math.PI / 2 + rng.uniform(-0.1, 0.1);
      const wd = rng.uniform(16, 30);
      const tmp = paintRoad(r, rng, labels, WALK, wd + 12, [172, 168, 160], [172, 168, 160], angle);
      const road = { ...tmp, width: wd };
      r.draw(capsule(road.ax, road.ay, road.bx, road.by, wd / 2), [78, 78, 82], 1, undefined, labels, ROAD);
      const co = Math.cos(angle), si = Math.sin(angle);
      const L = Math.hypot(W, H);
      for (let t = -L; t < L; t += 14) {
        const mx = (road.ax + road.bx) / 2 + co * t, my = (road.ay + road.by) / 2 + si * t;
        if (mx < -10 || my < -10 || mx > W + 10 || my > H + 10) continue;
        r.draw(capsule(mx, my, mx + co * 6, my + si * 6, 0.6), [225, 225, 215], 0.85);
      }
      roads.push(road);
    }
    r.modulate(fbm(rng, W, H, 6, 2), 0.18);
    paintPatches(r, rng, rng.intBetween(1, 4) * k, [20, 60], [[150, 80, 60], [120, 120, 125], [200, 200, 195]], labels, ROOF, 4);
    return {
      labels,
      anchor(cat, rng2: Random) {
        if (cat.regions?.includes(ROAD) && roads.length) return anchorOnRoad(rng2, rng2.pick(roads), W, H);
        return null;
      },
      occlude(r2, rng2, mask) {
        const n = Math.round(k * rng2.intBetween(2, 9));
        for (let i = 0; i < n; i++) {
          const x = rng2.uniform(0, W), y = rng2.uniform(0, H), R = rng2.uniform(5, 15);
          r2.draw(disc(x + R * 0.5, y + R * 0.5, R), BLACK, 0.3);
          const crown = disc(x, y, R);
          r2.draw(crown, jitter(rng2, shifted ? [120, 110, 80] : [46, 84, 40]), 1, (px, py) => 1.2 - (0.4 * (px - x + py - y)) / (2 * R));
          coverMask(mask, W, H, crown);
        }
      },
    };
  },
};
