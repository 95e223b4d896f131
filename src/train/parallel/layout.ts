import { tf } from "../../backend/tf.js";
import type { ParamStore } from "../../model/params.js";

/** Where each parameter lives in a flat float32 buffer (creation order of the ParamStore). */
export interface ParamLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  /** Floats in total. */
  size: number;
}

/** The flat layout of a model's parameters. */
export function paramLayout(params: ParamStore): ParamLayout {
  const names: string[] = [], shapes: number[][] = [], offsets: number[] = [];
  let size = 0;
  for (const [name, v] of params.entries()) {
    names.push(name);
    shapes.push(v.shape);
    offsets.push(size);
    size += v.size;
  }
  return { names, shapes, offsets, size };
}

/** Copies every parameter into `out` (a view of layout.size floats). */
export function readParams(params: ParamStore, layout: ParamLayout, out: Float32Array): void {
  layout.names.forEach((name, i) => out.set(params.get(name).dataSync() as Float32Array, layout.offsets[i]));
}

/** Assigns every parameter from `src` (a view of layout.size floats). */
export function writeParams(params: ParamStore, layout: ParamLayout, src: Float32Array): void {
  tf.tidy(() => {
    layout.names.forEach((name, i) => {
      const n = layout.shapes[i]!.reduce((a, b) => a * b, 1);
      params.get(name).assign(tf.tensor(src.slice(layout.offsets[i], layout.offsets[i]! + n), layout.shapes[i]));
    });
  });
}
