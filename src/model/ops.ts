import { tf } from "../backend/tf.js";

/**
 * Bilinear sampling of a feature map at normalised points, zero outside the map (grid_sample with
 * align_corners=false and zero padding). Gradients reach both the features and the point coordinates.
 *
 * @param feats [B, H, W, C]
 * @param xyNorm [B, N, 2], (x, y) in [0, 1] of the image
 * @returns [B, N, C]
 */
export function bilinearSample(feats: tf.Tensor4D, xyNorm: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = feats.shape;
    const n = xyNorm.shape[1];
    const flat = feats.reshape([b * h * w, c]);
    const px = xyNorm.slice([0, 0, 0], [b, n, 1]).reshape([b, n]).mul(w).sub(0.5);
    const py = xyNorm.slice([0, 0, 1], [b, n, 1]).reshape([b, n]).mul(h).sub(0.5);
    // Corner indices are read back and rebuilt as constants: an int index path that starts at trainable
    // values would make the tape try to differentiate through GatherV2's indices.
    const pxv = px.dataSync();
    const pyv = py.dataSync();
    const x0v = new Float32Array(b * n), y0v = new Float32Array(b * n);
    for (let i = 0; i < b * n; i++) {
      x0v[i] = Math.floor(pxv[i]!);
      y0v[i] = Math.floor(pyv[i]!);
    }
    const fx = px.sub(tf.tensor2d(x0v, [b, n]));
    const fy = py.sub(tf.tensor2d(y0v, [b, n]));
    // The four corners in one gather (corner-major rows): its gradient is one segment sum into the map instead of
    // four, each a zero-filled map that the tape would then add up.
    const bn = b * n;
    const idx = new Int32Array(4 * bn);
    const valid = new Float32Array(4 * bn);
    const corners = [[0, 0], [1, 0], [0, 1], [1, 1]] as const;
    corners.forEach(([dx, dy], k) => {
      for (let i = 0; i < bn; i++) {
        const xi = x0v[i]! + dx, yi = y0v[i]! + dy;
        const ok = xi >= 0 && xi <= w - 1 && yi >= 0 && yi <= h - 1;
        valid[k * bn + i] = ok ? 1 : 0;
        const xc = Math.min(w - 1, Math.max(0, xi)), yc = Math.min(h - 1, Math.max(0, yi));
        idx[k * bn + i] = Math.floor(i / n) * h * w + (Number.isFinite(yc) ? yc : 0) * w + (Number.isFinite(xc) ? xc : 0);
      }
    });
    const gx = tf.scalar(1).sub(fx), gy = tf.scalar(1).sub(fy);
    const weight = tf.stack([gx.mul(gy), fx.mul(gy), gx.mul(fy), fx.mul(fy)]).mul(tf.tensor3d(valid, [4, b, n]));
    const out = tf.gather(flat, tf.tensor1d(idx, "int32")).reshape([4, b, n, c]).mul(weight.reshape([4, b, n, 1])).sum(0);
    return out as tf.Tensor3D;
  });
}

/** Sinusoidal code of normalised coordinates: [..., k] -> [..., k * dimPerCoord] (sin and cos halves). */
export function sineEncoding(coords: tf.Tensor, dimPerCoord: number, temperature = 10000): tf.Tensor {
  return tf.tidy(() => {
    const half = dimPerCoord / 2;
    const freqs = new Float32Array(half);
    for (let i = 0; i < half; i++) freqs[i] = (2 * Math.PI) / Math.pow(temperature, i / half);
    const shape = coords.shape;
    const x = coords.reshape([...shape, 1]).mul(tf.tensor1d(freqs));
    return tf.concat([tf.sin(x), tf.cos(x)], -1).reshape([...shape.slice(0, -1), shape[shape.length - 1]! * dimPerCoord]);
  });
}

/** Normalised (x, y) centres of an h x w grid, row-major: [h * w, 2]. */
export function gridCentres(h: number, w: number): tf.Tensor2D {
  const data = new Float32Array(h * w * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      data[(y * w + x) * 2] = (x + 0.5) / w;
      data[(y * w + x) * 2 + 1] = (y + 0.5) / h;
    }
  }
  return tf.tensor2d(data, [h * w, 2]);
}

/** Nearest-neighbour 2x upsampling through broadcasting (its gradient is a plain sum on every backend). */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return x.reshape([b, h, 1, w, 1, c]).add(tf.zeros([1, 1, 2, 1, 2, 1])).reshape([b, h * 2, w * 2, c]) as tf.Tensor4D;
}

/** The 3x3 neighbourhood of every pixel stacked on channels: [B, H, W, C] -> [B, H, W, 9C] (zero padded). */
export function unfold3x3(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const p = x.pad([[0, 0], [1, 1], [1, 1], [0, 0]]);
  const parts: tf.Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) parts.push(p.slice([0, dy, dx, 0], [b, h, w, c]));
  return tf.concat(parts, -1) as tf.Tensor4D;
}

/** log(p / (1 - p)), clipped for stability. */
export function inverseSigmoid(p: tf.Tensor, eps = 1e-5): tf.Tensor {
  const q = p.clipByValue(eps, 1 - eps);
  return tf.log(q.div(tf.scalar(1).sub(q)));
}

/** [..., 4] cxcywh -> xyxy (same unit). */
export function cxcywhToXyxy(b: tf.Tensor): tf.Tensor {
  const [cx, cy, w, h] = tf.split(b, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.concat([cx.sub(w.div(2)), cy.sub(h.div(2)), cx.add(w.div(2)), cy.add(h.div(2))], -1);
}

/**
 * Image bytes -> normalised float input [1, size, size, 3] (stretched to size x size). Not what the detectors use:
 * they run at native scale ({@link imageToPaddedInput}).
 */
export function imageToInput(image: { width: number; height: number; data: Uint8Array }, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const t = tf.tensor3d(image.data, [image.height, image.width, 3], "int32").toFloat();
    const r = image.width === size && image.height === size ? t : tf.image.resizeBilinear(t, [size, size]);
    return normalizePixels(r.expandDims(0) as tf.Tensor4D);
  });
}

/** Raw 0-255 pixels -> network input ((x / 255 - 0.5) / 0.25). */
export function normalizePixels(x: tf.Tensor4D): tf.Tensor4D {
  return x.div(255).sub(0.5).div(0.25) as tf.Tensor4D;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stopGradientFn = tf.customGrad(((x: tf.Tensor) => ({ value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as any);

/** The identity with a zero gradient (detach). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientFn(x) as T;
}

/** Unit-length vectors along the last axis (x / sqrt(sum x^2 + 1e-6): finite gradients at zero). */
export function l2normalize<T extends tf.Tensor>(x: T): T {
  return x.mul(tf.rsqrt(x.square().sum(-1, true).add(1e-6))) as T;
}

/** Nearest-neighbour upsampling by a power of two (repeated {@link upsample2x}). */
export function upsampleNearest(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  let y = x;
  for (let f = 1; f < factor; f *= 2) y = upsample2x(y);
  return y;
}

/**
 * Image bytes at native scale -> normalised input [1, H', W', 3], zero-padded right and bottom to multiples of
 * `multiple` (no resizing: objects keep their pixel size).
 */
export function imageToPaddedInput(image: { width: number; height: number; data: Uint8Array }, multiple: number): tf.Tensor4D {
  const h = Math.ceil(image.height / multiple) * multiple;
  const w = Math.ceil(image.width / multiple) * multiple;
  return tf.tidy(() => {
    const t = normalizePixels(tf.tensor3d(image.data, [image.height, image.width, 3], "int32").toFloat().expandDims(0) as tf.Tensor4D);
    return (h === image.height && w === image.width ? t : t.pad([[0, 0], [0, h - image.height], [0, w - image.width], [0, 0]])) as tf.Tensor4D;
  });
}

/**
 * `fn` inside its own tf.tidy when `lean` (its intermediate tensors freed as soon as it returns: inference's
 * memory saver, same numbers), else called as is (training: the tape keeps what the gradients need anyway).
 */
export function scoped<T extends tf.TensorContainer>(lean: boolean, fn: () => T): T {
  return lean ? tf.tidy(fn) : fn();
}

/** tf.tidy for a function returning an object of tensors typed by an interface (kept; everything else freed). */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as T;
}
