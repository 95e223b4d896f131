/**
 * Cross-framework check of DEAL v2 against its PyTorch twin (bench/torch_deal.py): the same checkpoint and input
 * through dealkit and through PyTorch, every intermediate output compared. Used by test/model/torch-twin.test.ts
 * and by the deal-step bench (its `forwardMaxAbsDiff`).
 *
 * Compared (dealkit layouts): the enhanced maps f2, f4, f8; the dense heads obj, size, offset, embed (and cls with the
 * class prior); the exemplar
 * of each prompt (clicks on the drawn objects, 1-3 clicks per prompt); the prompt heatmaps; and the decoder's boxes
 * and logits of every layer for identical queries (dealkit's query allocation on the heatmap, shifted by +4 logits
 * so that an untrained model has peaks too: the allocation's discrete top-k is not compared, the decoder is).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tf } from "../src/backend/tf.js";
import { DealModel } from "../src/model/deal.js";
import { FINE_STRIDE } from "../src/model/config.js";
import { normalizePixels } from "../src/model/ops.js";
import { embedExemplars } from "../src/model/point-embedding.js";
import { allocateQueries } from "../src/model/query-allocation.js";
import { loadCheckpoint } from "../src/train/checkpoint.js";
import { Random } from "../src/util/random.js";

/** Per-output maximum absolute differences, dealkit vs PyTorch. */
export interface TwinComparison {
  maxAbsDiff: number;
  perOutput: Record<string, number>;
  /** Largest |value| of each output (dealkit), to read the differences against. */
  scale: Record<string, number>;
  torch: string;
}

const PYTHON = () => process.env.PYTHON ?? "/usr/bin/python3";

/** Why the twin cannot run here (no python / no torch), or null when it can. */
export function torchUnavailable(): string | null {
  // find_spec only locates the packages (importing torch takes seconds, minutes on a loaded machine).
  const probe = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('torch') and u.find_spec('numpy') else 3)";
  const r = spawnSync(PYTHON(), ["-c", probe], { encoding: "utf8", timeout: 300_000 });
  if (r.error) return `${PYTHON()} is not runnable (${r.error.message})`;
  if (r.status === 3) return `torch and numpy are not importable by ${PYTHON()} (scripts/setup.sh installs Debian's python3-torch)`;
  if (r.status !== 0) return `${PYTHON()} failed: ${(r.stderr || "").trim().split("\n").pop()}`;
  return null;
}

/** B images of w x h: a noisy dark background with bright squares of two colours; the square centres, per image. */
function drawScenes(b: number, w: number, h: number, seed: number): { pixels: Float32Array; centres: [number, number][][] } {
  const rng = new Random(seed);
  const pixels = new Float32Array(b * h * w * 3);
  const centres: [number, number][][] = [];
  for (let i = 0; i < b; i++) {
    const o = i * h * w * 3;
    for (let p = 0; p < h * w * 3; p++) pixels[o + p] = 20 + rng.int(40);
    centres.push([]);
    for (let k = 0; k < 12; k++) {
      const s = 4 + rng.int(10), x0 = rng.int(w - s), y0 = rng.int(h - s), red = k % 2 === 0;
      for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) pixels.set(red ? [220, 50, 40] : [40, 70, 230], o + (y * w + x) * 3);
      centres[i]!.push([x0 + s / 2, y0 + s / 2]);
    }
  }
  return { pixels, centres };
}

function pack(tensors: [string, number[], Float32Array][]): { index: { file: string; tensors: { name: string; shape: number[]; offset: number }[] }; bin: Float32Array } {
  const total = tensors.reduce((a, [, , v]) => a + v.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  const index = { file: "inputs.bin", tensors: [] as { name: string; shape: number[]; offset: number }[] };
  for (const [name, shape, v] of tensors) {
    bin.set(v, off);
    index.tensors.push({ name, shape, offset: off });
    off += v.length;
  }
  return { index, bin };
}

/**
 * Runs DEAL from checkpoint `modelDir` and its PyTorch twin on the same `batch` images of `width` x `height`
 * (multiples of the coarsest stride) and returns the per-output max |dealkit - torch|. Throws when the twin fails.
 *
 * @example
 * const r = await compareWithTorch("datasets/models/deal-tiny"); // r.maxAbsDiff <= 1e-3
 */
export async function compareWithTorch(modelDir: string, opts: { batch?: number; width?: number; height?: number; seed?: number; model?: DealModel } = {}): Promise<TwinComparison> {
  const B = opts.batch ?? 2, W = opts.width ?? 192, H = opts.height ?? 160;
  // `opts.model`: the checkpoint already loaded (the caller keeps it); else it is loaded here and freed.
  const model = opts.model ?? loadCheckpoint(modelDir).model;
  if (!(model instanceof DealModel)) {
    model.dispose();
    throw new Error(`${modelDir}: the PyTorch twin is DEAL's; this checkpoint holds a ${model.kind}`);
  }
  const net = model.net;
  const cfg = model.config;
  const extra = [cfg.classPrior && "classPrior", cfg.pixelMatch && "pixelMatch"].filter(Boolean);
  if (extra.length) {
    if (!opts.model) model.dispose();
    throw new Error(`${modelDir}: the PyTorch twin builds the shipped recipe's DEAL; this checkpoint has ${extra.join(" and ")} on`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-twin-"));
  try {
    const { pixels, centres } = drawScenes(B, W, H, opts.seed ?? 7);
    const P = 2, K = cfg.maxClicksPerPrompt;
    const xy = new Float32Array(B * P * K * 2), cmask = new Float32Array(B * P * K);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < P; j++) {
        for (let k = 0; k < Math.min(K, 1 + ((b + 2 * j) % K)); k++) {
          const [cx, cy] = centres[b]![j + 2 * k]!; // same colour as the prompt's first click
          const o = (b * P + j) * K + k;
          xy[o * 2] = cx / W;
          xy[o * 2 + 1] = cy / H;
          cmask[o] = 1;
        }
      }
    }
    const ours: Record<string, { shape: number[]; data: Float32Array }> = {};
    const keep = (name: string, t: tf.Tensor) => (ours[name] = { shape: t.shape, data: t.dataSync() as Float32Array });
    let inputs: [string, number[], Float32Array][] = [];
    tf.tidy(() => {
      const images = normalizePixels(tf.tensor4d(pixels, [B, H, W, 3]));
      const e = net.encode(images);
      const ex = embedExemplars(e.f, e.dense, tf.tensor4d(xy, [B, P, K, 2]), tf.tensor3d(cmask, [B, P, K]));
      const heat = net.promptHeat(e, ex);
      const [, h, w] = e.dense.obj.shape;
      const qs = allocateQueries(heat.add(4).dataSync() as Float32Array, { batch: B, prompts: P, h, w }, e.dense.size.dataSync() as Float32Array, e.dense.offset.dataSync() as Float32Array, cfg);
      const out = net.decode(e, images, qs, net.queryContext(e, ex, qs, w * FINE_STRIDE, h * FINE_STRIDE));
      for (const [k, t] of Object.entries(e.f)) keep(k, t);
      for (const [k, t] of Object.entries(e.dense)) if (t) keep(k, t);
      for (const [k, t] of Object.entries(ex)) if (t) keep(`ex.${k}`, t);
      keep("heat", heat);
      out.boxes.forEach((bx, i) => keep(`decoder${i}.boxes`, bx));
      out.logits.forEach((lg, i) => keep(`decoder${i}.logits`, lg));
      const Q = qs.perImage;
      inputs = [
        ["images", [B, H, W, 3], images.dataSync() as Float32Array],
        ["clickXy", [B, P, K, 2], xy],
        ["clickMask", [B, P, K], cmask],
        ["qBoxes", [B, Q, 4], qs.boxes],
        ["qLogits", [B, Q], qs.logits],
        ["qMask", [B, Q], qs.mask],
        ["qPrompt", [B, Q], Float32Array.from(qs.prompt)],
      ];
    });
    const { index, bin } = pack(inputs);
    fs.writeFileSync(path.join(dir, "inputs.bin"), new Uint8Array(bin.buffer));
    fs.writeFileSync(path.join(dir, "io.json"), JSON.stringify({ checkpoint: path.resolve(modelDir), inputs: index }));
    const r = spawnSync(PYTHON(), [path.join(__dirname, "torch_deal.py"), "check", dir], { encoding: "utf8", timeout: 600_000 });
    if (r.error || r.status !== 0) throw new Error(`bench/torch_deal.py check failed: ${r.error?.message ?? (r.stderr || "").trim().split("\n").slice(-3).join(" | ")}`);
    const theirsIndex = JSON.parse(fs.readFileSync(path.join(dir, "torch.json"), "utf8")) as typeof index;
    const raw = fs.readFileSync(path.join(dir, "torch.bin"));
    const theirs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const perOutput: Record<string, number> = {}, scale: Record<string, number> = {};
    for (const [name, mine] of Object.entries(ours)) {
      const t = theirsIndex.tensors.find((x) => x.name === name);
      if (!t) throw new Error(`the twin did not return ${name}`);
      if (JSON.stringify(t.shape) !== JSON.stringify(mine.shape)) throw new Error(`${name}: dealkit shape ${JSON.stringify(mine.shape)}, twin ${JSON.stringify(t.shape)}`);
      let d = 0, s = 0;
      for (let i = 0; i < mine.data.length; i++) {
        d = Math.max(d, Math.abs(mine.data[i]! - theirs[t.offset + i]!));
        s = Math.max(s, Math.abs(mine.data[i]!));
      }
      perOutput[name] = Number.isNaN(d) ? Infinity : d;
      scale[name] = s;
    }
    const torchVersion = (JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { torch?: string }).torch ?? "?";
    return { maxAbsDiff: Math.max(...Object.values(perOutput)), perOutput, scale, torch: torchVersion };
  } finally {
    if (!opts.model) model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
