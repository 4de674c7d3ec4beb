/**
 * The MLP in plain JavaScript: the cpu backend's arithmetic and the reference the WGSL kernels
 * (kernels.ts) are checked against. Layers are fully connected, tanh between them, softmax
 * cross-entropy on the last; the parameters are one flat vector, layer after layer, each layer a
 * (in + 1) × out block: the weights row by row, then the bias as the last row. The gradient
 * vector has the same layout, plus STATS_LEN entries at the end (the batch's loss sum and its
 * number of correct predictions), so that one all-reduce carries both.
 */
import { deriveSeed, mulberry32 } from "../rng.ts";

/** Entries after the parameters in a gradient vector: [loss sum, correct count]. */
export const STATS_LEN = 2;
/** tanh's argument is clamped to ±TANH_CLAMP (as in WGSL, where tanh of a large value may overflow). */
export const TANH_CLAMP = 15;

export interface LayerLayout {
  readonly inDim: number;
  readonly outDim: number;
  /** Offset of the layer's block in the parameter vector. */
  readonly offset: number;
}

export interface MlpLayout {
  /** Layer widths, input first: [2, H, H, 2]. */
  readonly sizes: readonly number[];
  readonly layers: readonly LayerLayout[];
  /** Number of parameters. */
  readonly count: number;
}

export function mlpLayout(sizes: readonly number[]): MlpLayout {
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push({ inDim: sizes[l], outDim: sizes[l + 1], offset });
    offset += (sizes[l] + 1) * sizes[l + 1];
  }
  return { sizes: [...sizes], layers, count: offset };
}

/** Glorot-uniform weights and zero biases, from `seed`. */
export function initParams(layout: MlpLayout, seed: number): Float32Array<ArrayBuffer> {
  const rand = mulberry32(deriveSeed(seed, 2));
  const p = new Float32Array(layout.count);
  for (const { inDim, outDim, offset } of layout.layers) {
    const limit = Math.sqrt(6 / (inDim + outDim));
    for (let i = 0; i < inDim * outDim; i++) p[offset + i] = (2 * rand() - 1) * limit;
  }
  return p;
}

export const tanh = (z: number): number => Math.tanh(Math.min(TANH_CLAMP, Math.max(-TANH_CLAMP, z)));

type FloatArray = Float32Array | Float64Array;
type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** The activations of every layer for `rows` inputs (acts[0] is the input, the last the logits). */
export function forward(layout: MlpLayout, params: ArrayLike<number>, x: ArrayLike<number>, rows: number, Ctor: FloatCtor = Float32Array): FloatArray[] {
  const input = new Ctor(rows * layout.sizes[0]);
  for (let i = 0; i < input.length; i++) input[i] = x[i];
  const acts: FloatArray[] = [input];
  const last = layout.layers.length - 1;
  layout.layers.forEach(({ inDim, outDim, offset }, l) => {
    const a = acts[l];
    const out = new Ctor(rows * outDim);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < outDim; j++) {
        let s = params[offset + inDim * outDim + j];
        for (let k = 0; k < inDim; k++) s += a[i * inDim + k] * params[offset + k * outDim + j];
        out[i * outDim + j] = l === last ? s : tanh(s);
      }
    }
    acts.push(out);
  });
  return acts;
}

/**
 * Forward and backward over `rows` examples: writes the SUM over the rows of the gradients of the
 * cross-entropy into `grad` (length count + STATS_LEN), then the loss sum and the number correct.
 * The intermediate values are stored in arrays of grad's type (Float32Array: float32 storage as
 * on the GPU; Float64Array for finite-difference checks).
 */
export function forwardBackward(
  layout: MlpLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, grad: FloatArray,
): { lossSum: number; correct: number } {
  const Ctor = grad.constructor as FloatCtor;
  const acts = forward(layout, params, x, rows, Ctor);
  const L = layout.layers.length;
  const classes = layout.sizes[L];
  const logits = acts[L];
  let delta: FloatArray = new Ctor(rows * classes);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let m = logits[i * classes];
    let arg = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > m) { m = logits[i * classes + c]; arg = c; }
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c] - m);
    for (let c = 0; c < classes; c++) delta[i * classes + c] = Math.exp(logits[i * classes + c] - m) / z - (c === y[i] ? 1 : 0);
    lossSum += Math.log(z) + m - logits[i * classes + y[i]];
    if (arg === y[i]) correct++;
  }
  for (let l = L - 1; l >= 0; l--) {
    const { inDim, outDim, offset } = layout.layers[l];
    const a = acts[l];
    for (let k = 0; k <= inDim; k++) {
      for (let j = 0; j < outDim; j++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += (k === inDim ? 1 : a[i * inDim + k]) * delta[i * outDim + j];
        grad[offset + k * outDim + j] = s;
      }
    }
    if (l > 0) {
      const prev = new Ctor(rows * inDim);
      for (let i = 0; i < rows; i++) {
        for (let k = 0; k < inDim; k++) {
          let s = 0;
          for (let j = 0; j < outDim; j++) s += delta[i * outDim + j] * params[offset + k * outDim + j];
          const av = a[i * inDim + k];
          prev[i * inDim + k] = s * (1 - av * av);
        }
      }
      delta = prev;
    }
  }
  grad[layout.count] = lossSum;
  grad[layout.count + 1] = correct;
  return { lossSum, correct };
}

/** The mean cross-entropy of `rows` examples (for finite differences). */
export function meanLoss(layout: MlpLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): number {
  const acts = forward(layout, params, x, rows, Float64Array);
  const logits = acts[acts.length - 1];
  const classes = layout.sizes[layout.sizes.length - 1];
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[i * classes + c]);
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c] - m);
    sum += Math.log(z) + m - logits[i * classes + y[i]];
  }
  return sum / rows;
}

/** The predicted class and the probability of class 1 for each of `rows` points. */
export function predict(layout: MlpLayout, params: ArrayLike<number>, x: ArrayLike<number>, rows: number): { cls: Uint8Array; p1: Float32Array } {
  const acts = forward(layout, params, x, rows);
  const logits = acts[acts.length - 1];
  const cls = new Uint8Array(rows);
  const p1 = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const d = logits[2 * i + 1] - logits[2 * i];
    cls[i] = d > 0 ? 1 : 0;
    p1[i] = 1 / (1 + Math.exp(-d));
  }
  return { cls, p1 };
}

/** Fraction of `rows` points classified correctly. */
export function accuracy(layout: MlpLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): number {
  const { cls } = predict(layout, params, x, rows);
  let ok = 0;
  for (let i = 0; i < rows; i++) if (cls[i] === y[i]) ok++;
  return rows === 0 ? 0 : ok / rows;
}
