/**
 * The host arithmetic of the reductions, shared by the cpu backend and the tests' oracle:
 * f16/bf16 widen to f32, every step rounds to f32 (Math.fround) as the GPU does, int32 wraps.
 */
import type { CollectiveDType, ReduceOp } from "./reduce-op.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16ToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** Round to nearest even, as the WGSL bf16 store does; NaN stays a quiet NaN. */
export function f32ToBf16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) return ((x >>> 16) | 0x0040) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f16ToF32(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Round to nearest even (IEEE binary16), overflow to infinity. */
export function f32ToF16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let r = mant >>> shift;
    if (rest > half || (rest === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  const rest = mant & 0x1fff;
  let r = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) r++;
  return sign | r;
}

/** Element value → the f32 (or int) the reduction computes with. */
export function widen(dtype: CollectiveDType, raw: number): number {
  if (dtype === "float16") return f16ToF32(raw);
  if (dtype === "bfloat16") return bf16ToF32(raw);
  return raw;
}

/** Result → stored element bits/value. */
export function narrow(dtype: CollectiveDType, value: number): number {
  if (dtype === "float16") return f32ToF16(value);
  if (dtype === "bfloat16") return f32ToBf16(value);
  if (dtype === "int32") return value | 0;
  return value;
}

type Combine = (a: number, b: number) => number;

const FLOAT: Record<ReduceOp, Combine> = {
  sum: (a, b) => Math.fround(a + b),
  avg: (a, b) => Math.fround(a + b),
  prod: (a, b) => Math.fround(a * b),
  max: (a, b) => (a !== a || b !== b ? NaN : Math.max(a, b)),
  min: (a, b) => (a !== a || b !== b ? NaN : Math.min(a, b)),
};

const INT: Record<ReduceOp, Combine> = {
  sum: (a, b) => (a + b) | 0,
  avg: (a, b) => (a + b) | 0,
  prod: (a, b) => Math.imul(a, b),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};

export function combiner(dtype: CollectiveDType, op: ReduceOp): Combine {
  return dtype === "int32" ? INT[op] : FLOAT[op];
}

/** The final step: avg divides the f32 sum by the number of sources. */
export function finisher(op: ReduceOp, sources: number): (v: number) => number {
  return op === "avg" ? (v) => Math.fround(v / sources) : (v) => v;
}

/**
 * The oracle's loop: element i of every input, folded in input order, finished and narrowed,
 * handed to `emit(i, value)`, for i < count.
 */
export function reduceEach(
  dtype: CollectiveDType,
  op: ReduceOp,
  inputs: readonly ArrayLike<number>[],
  count: number,
  emit: (i: number, value: number) => void,
): void {
  const combine = combiner(dtype, op);
  const finish = finisher(op, inputs.length);
  for (let i = 0; i < count; i++) {
    let acc = widen(dtype, inputs[0][i]);
    for (let r = 1; r < inputs.length; r++) acc = combine(acc, widen(dtype, inputs[r][i]));
    emit(i, narrow(dtype, finish(acc)));
  }
}

/**
 * Reduces element arrays (raw stored values: f16/bf16 as bits) in array order; the oracle the
 * tests compare every backend against.
 */
export function referenceReduce(
  dtype: CollectiveDType,
  op: ReduceOp,
  inputs: readonly ArrayLike<number>[],
): number[] {
  const n = inputs[0]?.length ?? 0;
  const out = new Array<number>(n);
  reduceEach(dtype, op, inputs, n, (i, v) => {
    out[i] = v;
  });
  return out;
}
