import { type Rgb, capsule, disc, ellipse, mix, polygon, rect, ring } from "../raster.js";
import { fbm } from "../texture.js";
import type { CategorySpec, DomainSpec, SceneLayout } from "../types.js";
import { BLACK, coverMask, jitter } from "./common.js";

const SAND = 0, SKY = 1, SEA = 2;
const CLOTHES: Rgb[] = [[210, 40, 40], [40, 70, 170], [240, 240, 240], [25, 25, 25], [240, 200, 40], [40, 150, 90], [230, 110, 170]];
const SKIN: Rgb[] = [[225, 180, 150], [180, 130, 95], [110, 75, 55]];

const person: CategorySpec = {
  name: "person",
  heldOut: false,
  lookalike: "swimmer",
  description: "standing person far away on a beach: head, coloured torso, two legs; upright and about 3:1",
  sizePx: [6, 30],
  regions: [SAND],
  cluster: "blob",
  weight: 4,
  footprint: 0.2,
  draw(r, rng, p, ctx) {
    const h = p.size, w = h * 0.3;
    const top = p.y - h / 2;
    const skin = ctx.tone(rng.pick(SKIN));
    const legs = ctx.tone(rng.bool(0.5) ? skin : jitter(rng, [40, 50, 80]));
    r.draw(ellipse(p.x + h * 0.15, p.y + h / 2, h * 0.2, h * 0.04), BLACK, 0.25);
    const lw = Math.max(0.35, w * 0.17);
    r.draw(capsule(p.x - w * 0.18, p.y + h * 0.05, p.x - w * 0.2, p.y + h / 2 - lw, lw), legs);
    r.draw(capsule(p.x + w * 0.18, p.y + h * 0.05, p.x + w * 0.2, p.y + h / 2 - lw, lw), legs);
    r.draw(rect(p.x, top + h * 0.37, w, h * 0.36, 0, w * 0.25), ctx.tone(jitter(rng, rng.pick(CLOTHES))));
    r.draw(disc(p.x, top + h * 0.1, h * 0.1), skin);
    return [p.x - w / 2, top, p.x + w / 2, p.y + h / 2];
  },
};

const swimmer: CategorySpec = {
  name: "swimmer",
  heldOut: false,
  lookalike: "person",
  description: "swimmer in the sea: head and shoulders above the water inside a pale ripple ring; wider than tall",
  sizePx: [4, 16],
  regions: [SEA],
  cluster: "blob",
  weight: 2,
  footprint: 0.35,
  draw(r, rng, p, ctx) {
    const w = p.size, h = w * 0.55;
    const rip = ring(p.x, p.y, w * 0.38, Math.max(0.4, w * 0.08));
    r.draw(ellipse(p.x, p.y + h * 0.1, w * 0.45, h * 0.45), [230, 240, 245], 0.35);
    r.draw(ellipse(p.x, p.y + h * 0.1, w * 0.3, h * 0.22), ctx.tone(rng.pick(SKIN)));
    r.draw(disc(p.x, p.y - h * 0.15, w * 0.14), ctx.tone(rng.bool(0.5) ? [50, 40, 30] : rng.pick(SKIN)));
    r.draw({ ...rip, sdf: (x, y) => rip.sdf(p.x + (x - p.x), p.y + (y - p.y) / 0.5) }, [235, 240, 245], 0.6);
    return [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
  },
};

const bird: CategorySpec = {
  name: "bird",
  heldOut: false,
  description: "gull in the sky: a thin V or flattened M of two wings, white-grey or dark",
  sizePx: [4, 18],
  regions: [SKY],
  cluster: "blob",
  weight: 2,
  footprint: 0.3,
  draw(r, rng, p, ctx) {
    const w = p.size, up = rng.uniform(0.15, 0.4) * w;
    const c = ctx.tone(rng.bool(0.6) ? [70, 70, 75] : [250, 250, 250]);
    const t = Math.max(0.35, w * 0.07);
    r.draw(capsule(p.x - w / 2 + t, p.y - up / 2, p.x, p.y + up / 2, t), c);
    r.draw(capsule(p.x, p.y + up / 2, p.x + w / 2 - t, p.y - up / 2, t), c);
    return [p.x - w / 2, p.y - up / 2 - t, p.x + w / 2, p.y + up / 2 + t];
  },
};

const kite: CategorySpec = {
  name: "kite",
  heldOut: true,
  description: "kite in the sky: a bright two-tone diamond with a thin tail",
  sizePx: [6, 40],
  regions: [SKY],
  cluster: "none",
  weight: 1,
  footprint: 0.4,
  draw(r, rng, p, ctx) {
    const h = p.size, w = h * 0.7, tilt = rng.uniform(-0.4, 0.4);
    const co = Math.cos(tilt), si = Math.sin(tilt);
    const at = (u: number, v: number): [number, number] => [p.x + u * co - v * si, p.y + u * si + v * co];
    const [top, right, bottom, left] = [at(0, -h * 0.5), at(w / 2, -h * 0.15), at(0, h * 0.5), at(-w / 2, -h * 0.15)];
    const c1 = ctx.tone(jitter(rng, rng.pick<Rgb>([[230, 40, 40], [250, 200, 30], [40, 90, 220], [240, 100, 200]])));
    const kiteShape = polygon([top, right, bottom, left]);
    r.draw(kiteShape, c1);
    r.draw(polygon([top, right, bottom]), mix(c1, [255, 255, 255], 0.45));
    r.draw(capsule(bottom[0], bottom[1], bottom[0] - h * 0.2, bottom[1] + h * 0.5, Math.max(0.3, h * 0.02)), [60, 60, 60], 0.6);
    return [kiteShape.x0, kiteShape.y0, kiteShape.x1, kiteShape.y1];
  },
};

/** Daily life: TinyPerson-like seaside scenes, far-away people on sand, swimmers, birds and kites. */
export const dailyLife: DomainSpec = {
  name: "daily-life",
  title: "Daily life",
  description: "seaside views: sky gradient over a horizon, sea with stretched waves and foam, beach sand, parasols; perspective shrinks far objects",
  categories: [person, swimmer, bird, kite],
  effects: { blur: [0, 1.1], noise: [1, 5], contrast: [0.55, 1] },
  background(r, rng, { shifted }): SceneLayout {
    const { width: W, height: H } = r;
    const labels = new Uint8Array(W * H);
    const horizon = H * rng.uniform(0.2, 0.42);
    const shore = horizon + (H - horizon) * rng.uniform(0.3, 0.6);
    const waves = fbm(rng, W, H, 48, 4, 0.5, 6);
    const sandTex = fbm(rng, W, H, 40, 4);
    const skyTop: Rgb = shifted ? [150, 155, 165] : [95, 150, 215];
    const skyLow: Rgb = shifted ? [200, 200, 205] : [200, 222, 240];
    const sea: Rgb = shifted ? [90, 105, 110] : [35, 105, 140];
    const sand: Rgb = shifted ? [170, 160, 140] : [220, 200, 160];
    const phase = rng.uniform(0, 6.3), amp = rng.uniform(2, 8);
    const d = r.data;
    const foam: Rgb = [230, 240, 240], shallow = mix(sea, [80, 170, 180], 0.4), surf: Rgb = [240, 245, 245];
    const put = (i: number, c0: number, c1: number, c2: number): void => {
      d[i] = c0;
      d[i + 1] = c1;
      d[i + 2] = c2;
    };
    for (let x = 0; x < W; x++) {
      const shoreY = shore + amp * Math.sin(x / 23 + phase);
      for (let y = 0; y < H; y++) {
        const p = y * W + x, i = p * 3;
        if (y < horizon) {
          const t = y / horizon;
          put(i, skyTop[0] + (skyLow[0] - skyTop[0]) * t, skyTop[1] + (skyLow[1] - skyTop[1]) * t, skyTop[2] + (skyLow[2] - skyTop[2]) * t);
          labels[p] = SKY;
        } else if (y < shoreY) {
          const t = ((y - horizon) / (shoreY - horizon)) * 0.6;
          const f = Math.max(0, waves[p]! - 0.72) * 2.5;
          let c0 = sea[0] + (foam[0] - sea[0]) * f, c1 = sea[1] + (foam[1] - sea[1]) * f, c2 = sea[2] + (foam[2] - sea[2]) * f;
          c0 += (shallow[0] - c0) * t;
          c1 += (shallow[1] - c1) * t;
          c2 += (shallow[2] - c2) * t;
          if (shoreY - y < 3) {
            c0 += (surf[0] - c0) * 0.7;
            c1 += (surf[1] - c1) * 0.7;
            c2 += (surf[2] - c2) * 0.7;
          }
          put(i, c0, c1, c2);
          labels[p] = SEA;
        } else {
          const t = sandTex[p]! * 0.6;
          put(i, sand[0] + (180 - sand[0]) * t, sand[1] + (160 - sand[1]) * t, sand[2] + (120 - sand[2]) * t);
        }
      }
    }
    return {
      labels,
      scaleAt: (_x, y) => (y < horizon ? 1 : 0.5 + (0.8 * (y - horizon)) / (H - horizon)),
      occlude(r2, rng2, mask) {
        const n = Math.round(((W * H) / 65536) * rng2.intBetween(0, 3));
        for (let i = 0; i < n; i++) {
          const y = rng2.uniform(shore + 4, H), x = rng2.uniform(0, W);
          const R = (4 + 10 * ((y - horizon) / (H - horizon))) * rng2.uniform(0.8, 1.3);
          r2.draw(capsule(x, y, x, y + R * 1.2, Math.max(0.4, R * 0.06)), [90, 80, 70]);
          const top = ellipse(x, y, R, R * 0.45);
          r2.draw(top, jitter(rng2, rng2.pick<Rgb>([[230, 60, 50], [250, 210, 60], [60, 120, 210], [245, 245, 240]])));
          coverMask(mask, W, H, top);
        }
      },
    };
  },
};
