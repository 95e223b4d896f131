import type { Random } from "../../../util/random.js";
import { type Rgb, capsule, disc, mix, polygon, rect, ring } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { jitter } from "./common.js";

const SIDE = 0, SKY = 1, ROAD = 2;
const POLE: Rgb = [70, 72, 75];
const VERGE_DARK: Rgb = [70, 80, 60];

function drawPole(r: Parameters<CategorySpec["draw"]>[0], x: number, yTop: number, len: number, w: number): void {
  r.draw(capsule(x, yTop, x, yTop + len, Math.max(0.35, w)), POLE);
}

const trafficLight: CategorySpec = {
  name: "traffic-light",
  heldOut: false,
  description: "traffic light on a pole: dark upright housing (2.6:1) with three lamps, one lit red, amber or green",
  sizePx: [4, 28],
  cluster: "none",
  weight: 3,
  footprint: 0.3,
  draw(r, rng, p, ctx) {
    const h = p.size, w = h * 0.38;
    drawPole(r, p.x, p.y + h / 2, h * 2.5, w * 0.15);
    const box = rect(p.x, p.y, w, h, 0, w * 0.2);
    r.draw(box, ctx.tone([28, 30, 32]));
    const lit = rng.int(3);
    const colors: Rgb[] = [[255, 40, 30], [255, 180, 20], [40, 230, 110]];
    for (let k = 0; k < 3; k++) {
      const c = k === lit ? colors[k]! : mix(colors[k]!, [30, 30, 30], 0.8);
      r.draw(disc(p.x, p.y + (k - 1) * h * 0.3, w * 0.32), c);
    }
    return [box.x0, box.y0, box.x1, box.y1];
  },
};

const trafficSign: CategorySpec = {
  name: "traffic-sign",
  heldOut: false,
  lookalike: "traffic-cone",
  description: "round prohibition sign on a pole: red ring, white face, dark bar or digits in the middle",
  sizePx: [3, 28],
  cluster: "none",
  weight: 2,
  footprint: 0.4,
  draw(r, rng, p, ctx) {
    const R = p.size / 2;
    drawPole(r, p.x, p.y + R, p.size * 2.2, R * 0.1);
    const face = disc(p.x, p.y, R);
    r.draw(face, ctx.tone([240, 240, 240]));
    r.draw(ring(p.x, p.y, R * 0.8, R * 0.36), ctx.tone([210, 30, 30]));
    if (rng.bool()) r.draw(rect(p.x, p.y, R * 0.9, R * 0.28), ctx.tone([30, 30, 30]));
    else r.draw(rect(p.x, p.y, R * 0.55, R * 0.6), ctx.tone([60, 60, 60]), 0.7);
    return [face.x0, face.y0, face.x1, face.y1];
  },
};

const distantCar: CategorySpec = {
  name: "distant-car",
  heldOut: false,
  description: "car ahead seen from behind: wide body, dark rear window, two red tail lights, dark tyres",
  sizePx: [4, 48],
  regions: [ROAD],
  cluster: "blob",
  weight: 4,
  footprint: 0.4,
  draw(r, rng, p, ctx) {
    const w = p.size, h = w * 0.78;
    const top = p.y - h / 2;
    const c = ctx.tone(jitter(rng, rng.pick<Rgb>([[230, 230, 230], [30, 30, 35], [160, 30, 30], [50, 80, 150], [140, 140, 145]])));
    r.draw(rect(p.x - w * 0.32, p.y + h * 0.42, w * 0.18, h * 0.16), [15, 15, 15]);
    r.draw(rect(p.x + w * 0.32, p.y + h * 0.42, w * 0.18, h * 0.16), [15, 15, 15]);
    r.draw(polygon([[p.x - w * 0.34, top], [p.x + w * 0.34, top], [p.x + w * 0.48, top + h * 0.45], [p.x - w * 0.48, top + h * 0.45]]), c);
    r.draw(rect(p.x, top + h * 0.65, w, h * 0.42, 0, w * 0.06), c);
    r.draw(polygon([[p.x - w * 0.28, top + h * 0.08], [p.x + w * 0.28, top + h * 0.08], [p.x + w * 0.38, top + h * 0.4], [p.x - w * 0.38, top + h * 0.4]]), ctx.tone([35, 40, 50]));
    r.draw(rect(p.x - w * 0.38, top + h * 0.58, w * 0.16, h * 0.12), [230, 20, 20]);
    r.draw(rect(p.x + w * 0.38, top + h * 0.58, w * 0.16, h * 0.12), [230, 20, 20]);
    return [p.x - w / 2, top, p.x + w / 2, p.y + h / 2];
  },
};

const trafficCone: CategorySpec = {
  name: "traffic-cone",
  heldOut: true,
  lookalike: "traffic-sign",
  description: "traffic cone on the road: orange triangle with a white band and a dark square base",
  sizePx: [3, 22],
  regions: [ROAD],
  cluster: "line",
  weight: 1.5,
  footprint: 0.35,
  spacing: [1.8, 0.5],
  draw(r, _rng, p, ctx) {
    const h = p.size, w = h * 0.7;
    const top = p.y - h / 2;
    r.draw(rect(p.x, p.y + h * 0.44, w, h * 0.12), [30, 30, 30]);
    r.draw(polygon([[p.x - w * 0.06, top], [p.x + w * 0.06, top], [p.x + w * 0.4, p.y + h * 0.4], [p.x - w * 0.4, p.y + h * 0.4]]), ctx.tone([250, 110, 20]));
    r.draw(rect(p.x, top + h * 0.5, w * 0.42, h * 0.14), ctx.tone([245, 245, 245]));
    return [p.x - w / 2, top, p.x + w / 2, p.y + h / 2];
  },
};

/** Autonomous driving: forward-facing dash-camera views with a vanishing point. */
export const driving: DomainSpec = {
  name: "autonomous-driving",
  title: "Autonomous driving",
  description: "dash-camera views: sky over a horizon, a road converging to a vanishing point with lane marks, building blocks with windows, poles",
  categories: [trafficLight, trafficSign, distantCar, trafficCone],
  effects: { blur: [0, 1.0], noise: [1.5, 6], contrast: [0.6, 1] },
  background(r, rng, { shifted }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    const hy = H * rng.uniform(0.36, 0.5), vx = W * rng.uniform(0.38, 0.62);
    const skyTop: Rgb = shifted ? [60, 60, 90] : [110, 160, 220];
    const skyLow: Rgb = shifted ? [210, 140, 110] : [210, 225, 235];
    const tex = fbm(rng, W, H, 32, 4);
    const d = r.data;
    const verge: Rgb = shifted ? [80, 80, 70] : [95, 110, 80];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const [a, b, t] = y < hy ? [skyTop, skyLow, y / hy] : [verge, VERGE_DARK, tex[p]!];
        d[p * 3] = a[0] + (b[0] - a[0]) * t;
        d[p * 3 + 1] = a[1] + (b[1] - a[1]) * t;
        d[p * 3 + 2] = a[2] + (b[2] - a[2]) * t;
        if (y < hy) labels[p] = SKY;
      }
    }
    const k = Math.max(1, Math.round(W / 256));
    for (const side of [-1, 1]) {
      let x = side < 0 ? vx - W * 0.08 : vx + W * 0.08;
      for (let b = 0; b < 6 * k; b++) {
        const bw = rng.uniform(0.08, 0.2) * W, bh = rng.uniform(0.05, 0.35) * H;
        const cx = x + side * bw / 2;
        const col = jitter(rng, rng.pick<Rgb>([[150, 140, 130], [120, 110, 105], [180, 175, 165], [90, 95, 105]]));
        r.draw(rect(cx, hy + H * 0.03 - bh / 2, bw, bh), col, 1, undefined, labels, SIDE);
        for (let wy = hy + H * 0.03 - bh + 4; wy < hy - 2; wy += 6) {
          for (let wx = cx - bw / 2 + 3; wx < cx + bw / 2 - 3; wx += 6) r.draw(rect(wx, wy, 2.2, 2.6), mix(col, [40, 50, 70], 0.6));
        }
        x += side * bw * rng.uniform(1, 1.3);
      }
    }
    const lx = -W * rng.uniform(0, 0.4), rx = W * rng.uniform(1, 1.4);
    r.draw(polygon([[vx - 3, hy], [vx + 3, hy], [rx + W * 0.15, H], [lx - W * 0.15, H]]), [150, 148, 140]);
    r.draw(polygon([[vx - 2, hy], [vx + 2, hy], [rx, H], [lx, H]]), shifted ? [70, 70, 75] : [92, 92, 96], 1, undefined, labels, ROAD);
    const asphalt = fbm(rng, W, H, 8, 2);
    r.modulate(asphalt, 0.15, labels, ROAD);
    for (const f of [0.33, 0.66]) {
      const bx = lx + (rx - lx) * f;
      for (let t = 0.02; t < 1; t += 0.12) {
        const t2 = Math.min(1, t + 0.05);
        const y0 = hy + (H - hy) * t * t, y1 = hy + (H - hy) * t2 * t2;
        const x0 = vx + (bx - vx) * t * t, x1 = vx + (bx - vx) * t2 * t2;
        r.draw(capsule(x0, y0, x1, y1, 0.3 + 2 * t), [235, 235, 225], 0.9);
      }
    }
    const scaleAt = (x: number, y: number): number => Math.min(1.5, 0.25 + (1.8 * Math.hypot(x - vx, (y - hy) * 1.6)) / Math.hypot(W, H));
    return {
      labels,
      scaleAt,
      anchor(cat, rng2: Random) {
        if (cat.regions) return null;
        const t = rng2.uniform(0.02, 0.5);
        const side = rng2.bool() ? 1 : -1;
        const edgeX = side > 0 ? vx + (rx - vx) * t : vx + (lx - vx) * t;
        const x = edgeX + side * rng2.uniform(2, 10) * (0.3 + t);
        const yGround = hy + (H - hy) * t;
        const s = scaleAt(x, yGround);
        const y = yGround - (cat.name === "traffic-light" ? 3.4 : 2.6) * cat.sizePx[1] * s * 0.5;
        return { x, y, angle: 0 };
      },
    };
  },
};
