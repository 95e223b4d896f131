import type { Random } from "../../../util/random.js";
import { type Rgb, disc, mix, polygon, rect, ring, ellipse } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { BLACK, type Road, anchorOnRoad, boundsOf, coverMask, jitter, paintPatches, paintRoad } from "./common.js";

const GROUND = 0, ROAD = 1, WATER = 2, ROOF = 3, LOT = 4;
const CAR_COLORS: Rgb[] = [[235, 235, 235], [30, 30, 35], [170, 30, 30], [40, 70, 150], [150, 150, 155], [200, 180, 60]];
const TRAILER_COLORS: Rgb[] = [[240, 240, 240], [215, 215, 220], [70, 110, 170], [180, 60, 40]];

const smallVehicle: CategorySpec = {
  name: "small-vehicle",
  heldOut: false,
  lookalike: "large-vehicle",
  description: "car seen from above: short rounded box (2:1) with dark windscreen and rear window",
  sizePx: [5, 16],
  regions: [ROAD, LOT],
  cluster: "grid",
  weight: 4,
  footprint: 0.3,
  spacing: [1.25, 0.62],
  draw(r, rng, p, ctx) {
    const L = p.size, Wd = p.size * 0.48;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    r.draw(rect(p.x + 0.25 * L * 0.3, p.y + 0.25 * L * 0.3, L, Wd, p.angle, Wd * 0.3), BLACK, 0.35);
    const body = rect(p.x, p.y, L, Wd, p.angle, Wd * 0.3);
    const c = ctx.tone(jitter(rng, rng.pick(CAR_COLORS)));
    r.draw(body, c);
    const glass = ctx.tone([25, 30, 40]);
    r.draw(rect(p.x + co * L * 0.2, p.y + si * L * 0.2, L * 0.14, Wd * 0.8, p.angle), glass, 0.9);
    r.draw(rect(p.x - co * L * 0.3, p.y - si * L * 0.3, L * 0.1, Wd * 0.75, p.angle), glass, 0.8);
    return boundsOf(body);
  },
};

const largeVehicle: CategorySpec = {
  name: "large-vehicle",
  heldOut: false,
  lookalike: "small-vehicle",
  description: "truck from above: long narrow box (3.5:1), small coloured cab, gap, long pale trailer",
  sizePx: [9, 32],
  regions: [ROAD, LOT],
  cluster: "grid",
  weight: 2,
  footprint: 0.3,
  spacing: [1.15, 0.45],
  draw(r, rng, p, ctx) {
    const L = p.size, Wd = p.size * 0.28;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    r.draw(rect(p.x + L * 0.07, p.y + L * 0.07, L, Wd, p.angle), BLACK, 0.35);
    const cabL = L * 0.2, trL = L * 0.72;
    const cab = rect(p.x + co * (L / 2 - cabL / 2), p.y + si * (L / 2 - cabL / 2), cabL, Wd * 0.92, p.angle, Wd * 0.2);
    const trailer = rect(p.x - co * (L / 2 - trL / 2), p.y - si * (L / 2 - trL / 2), trL, Wd, p.angle, 0.3);
    r.draw(cab, ctx.tone(jitter(rng, rng.pick(CAR_COLORS))));
    r.draw(trailer, ctx.tone(jitter(rng, rng.pick(TRAILER_COLORS))));
    for (let k = 1; k < 4; k++) {
      const t = -L / 2 + (trL * k) / 4;
      r.draw(rect(p.x + co * t, p.y + si * t, Math.max(0.4, L * 0.012), Wd * 0.9, p.angle), BLACK, 0.15);
    }
    return [Math.min(cab.x0, trailer.x0), Math.min(cab.y0, trailer.y0), Math.max(cab.x1, trailer.x1), Math.max(cab.y1, trailer.y1)];
  },
};

const storageTank: CategorySpec = {
  name: "storage-tank",
  heldOut: false,
  description: "round white/grey tank roof with a darker rim, lit from the top-left, with a shadow",
  sizePx: [6, 50],
  regions: [GROUND, LOT],
  cluster: "grid",
  weight: 1.5,
  footprint: 0.55,
  spacing: [1.3, 1.3],
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    r.draw(disc(p.x + R * 0.3, p.y + R * 0.3, R), BLACK, 0.45);
    const c = ctx.tone(jitter(rng, rng.bool(0.7) ? [228, 228, 222] : [190, 195, 200], 0.05));
    const top = disc(p.x, p.y, R);
    r.draw(top, c, 1, (x, y) => 1.05 - (0.18 * ((x - p.x) + (y - p.y))) / (2 * R));
    r.draw(ring(p.x, p.y, R * 0.88, Math.max(0.5, R * 0.12)), mix(c, BLACK, 0.3), 0.8);
    if (R > 6) r.draw(disc(p.x, p.y, R * 0.12), mix(c, BLACK, 0.25), 0.7);
    return boundsOf(top);
  },
};

const ship: CategorySpec = {
  name: "ship",
  heldOut: true,
  description: "boat on water: pointed hull with pale deck, a cabin block and a bright wake",
  sizePx: [10, 60],
  regions: [WATER],
  cluster: "line",
  weight: 1.2,
  footprint: 0.3,
  spacing: [1.1, 0.5],
  draw(r, rng, p, ctx) {
    const L = p.size, B = p.size * 0.26;
    const co = Math.cos(p.angle), si = Math.sin(p.angle);
    const at = (u: number, v: number): [number, number] => [p.x + co * u - si * v, p.y + si * u + co * v];
    r.draw(ellipse(...at(-L * 0.75, 0), L * 0.45, B * 0.45, p.angle), [225, 235, 240], 0.35);
    const hull = polygon([at(L / 2, 0), at(L * 0.22, B / 2), at(-L / 2, B / 2 * 0.9), at(-L / 2, -B / 2 * 0.9), at(L * 0.22, -B / 2)]);
    r.draw(hull, ctx.tone(jitter(rng, rng.pick<Rgb>([[230, 230, 230], [200, 70, 50], [60, 70, 90]]))));
    r.draw(rect(...at(-L * 0.12, 0), L * 0.25, B * 0.6, p.angle), ctx.tone([245, 245, 245]));
    return boundsOf(hull);
  },
};

/** Remote sensing: nadir satellite/aerial views of land cover, roads, lots, roofs and water. */
export const remoteSensing: DomainSpec = {
  name: "remote-sensing",
  title: "Remote sensing",
  description: "nadir aerial tiles: fields and soil texture, straight roads with lane marks, parking lots, roofs, water, tree crowns",
  categories: [smallVehicle, largeVehicle, storageTank, ship],
  effects: { blur: [0, 0.8], noise: [1, 5], contrast: [0.55, 1] },
  background(r, rng, { shifted, categories }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    const a: Rgb = shifted ? [196, 176, 140] : [104, 124, 78];
    const b: Rgb = shifted ? [150, 128, 100] : [140, 128, 96];
    r.fillField(fbm(rng, W, H, 96, 5), a, b);
    paintPatches(r, rng, Math.round((W * H) / 16000), [30, 90], shifted ? [[190, 170, 130], [170, 150, 120]] : [[92, 120, 64], [150, 140, 100], [120, 132, 80]]);
    r.modulate(fbm(rng, W, H, 12, 3), 0.25);
    const ships = categories.includes(ship);
    if (ships || rng.bool(0.55)) {
      const f = fbm(rng, W, H, Math.max(W, H) / 2, 3);
      const water: Rgb = shifted ? [70, 90, 100] : [38, 62, 78];
      const thr = ships ? rng.uniform(0.45, 0.6) : rng.uniform(0.55, 0.72);
      const d = r.data;
      for (let i = 0; i < f.length; i++) {
        if (f[i]! > thr) {
          const t = Math.min(1, (f[i]! - thr) * 25);
          d[i * 3] = d[i * 3]! + (water[0] - d[i * 3]!) * t;
          d[i * 3 + 1] = d[i * 3 + 1]! + (water[1] - d[i * 3 + 1]!) * t;
          d[i * 3 + 2] = d[i * 3 + 2]! + (water[2] - d[i * 3 + 2]!) * t;
          if (t > 0.5) labels[i] = WATER;
        }
      }
    }
    const roads: Road[] = [];
    const nRoads = rng.intBetween(1, 2) * Math.max(1, Math.round(Math.sqrt((W * H) / 65536)));
    for (let i = 0; i < nRoads; i++) roads.push(paintRoad(r, rng, labels, ROAD, rng.uniform(10, 18), [92, 92, 96], [230, 230, 220]));
    const lots = paintPatches(r, rng, rng.intBetween(0, 2) * Math.max(1, Math.round((W * H) / 65536)), [30, 70], [[120, 120, 122], [150, 148, 140]], labels, LOT);
    paintPatches(r, rng, rng.intBetween(2, 8) * Math.max(1, Math.round((W * H) / 65536)), [8, 28], [[170, 90, 70], [190, 190, 185], [110, 110, 115]], labels, ROOF, 3);
    return {
      labels,
      anchor(cat, rng2: Random) {
        if (cat !== smallVehicle && cat !== largeVehicle) return null;
        if (lots.length && rng2.bool(0.35)) {
          const lot = rng2.pick(lots);
          const u = rng2.uniform(-0.4, 0.4) * lot.w, v = rng2.uniform(-0.4, 0.4) * lot.h;
          const co = Math.cos(lot.angle), si = Math.sin(lot.angle);
          return { x: lot.cx + u * co - v * si, y: lot.cy + u * si + v * co, angle: lot.angle + Math.PI / 2 };
        }
        return roads.length ? anchorOnRoad(rng2, rng2.pick(roads), W, H) : null;
      },
      occlude(r2, rng2, mask) {
        const n = Math.round(((W * H) / 65536) * rng2.intBetween(3, 14));
        for (let i = 0; i < n; i++) {
          const road = roads.length && rng2.bool(0.5) ? rng2.pick(roads) : null;
          let x = rng2.uniform(0, W), y = rng2.uniform(0, H);
          if (road) {
            const u = rng2.next(), off = (rng2.bool() ? 1 : -1) * road.width * rng2.uniform(0.3, 0.7);
            x = road.ax + (road.bx - road.ax) * u - Math.sin(road.angle) * off;
            y = road.ay + (road.by - road.ay) * u + Math.cos(road.angle) * off;
          }
          const R = rng2.uniform(3, 9);
          r2.draw(disc(x + R * 0.4, y + R * 0.4, R), BLACK, 0.3);
          const crown = disc(x, y, R);
          r2.draw(crown, jitter(rng2, shifted ? [90, 100, 60] : [40, 72, 36]), 1, (px, py) => 1.15 - (0.3 * (px - x + py - y)) / (2 * R));
          coverMask(mask, W, H, crown);
        }
      },
    };
  },
};
