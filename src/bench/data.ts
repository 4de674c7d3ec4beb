/**
 * Deterministic inputs (every rank's, computable anywhere), the expected results through the
 * library's oracle (`referenceReduce`), and the element-by-element check behind #wrong.
 */
import {
  type AnyTypedArray, type CollectiveDType, itemsize, narrow, type ReduceOp, referenceReduce, widen,
} from "../internal.ts";
import type { BenchOp } from "./flags.ts";
import { receivedOffsets, receivedSplits, receivedTotal, sourceOffset, type SplitPlan } from "./splits.ts";

export type RawArray = Float32Array | Int32Array | Uint16Array;

/** A typed array of `dtype`'s stored values (f16/bf16 as bits) over `buffer`, or a new one. */
export function rawArray(dtype: CollectiveDType, source: number | ArrayBufferLike, byteOffset = 0, length?: number): RawArray {
  const Ctor = dtype === "float32" ? Float32Array : dtype === "int32" ? Int32Array : Uint16Array;
  if (typeof source === "number") return new Ctor(source);
  return new Ctor(source as ArrayBuffer, byteOffset, length ?? (source.byteLength - byteOffset) / itemsize(dtype));
}

/**
 * Rank `rank`'s element `i`: (k − 48) / 16 with k = (7i + 13·rank) mod 101 for floats (exact in
 * every float type, |x| ≤ 3.25, so sums and products stay finite), k − 50 for int32.
 */
export function inputValue(dtype: CollectiveDType, rank: number, i: number): number {
  const k = (((i % 101) * 7) + rank * 13) % 101;
  if (dtype === "int32") return k - 50;
  return narrow(dtype, (k - 48) / 16);
}

/** Elements [first, first + out.length) of rank `rank`'s input. */
export function fillInput(dtype: CollectiveDType, rank: number, first: number, out: RawArray): RawArray {
  // The pattern repeats every 101 elements: compute one period, then copy it.
  const period = rawArray(dtype, 101);
  for (let j = 0; j < 101; j++) period[j] = inputValue(dtype, rank, j);
  let o = 0;
  let j = first % 101;
  while (o < out.length) {
    const n = Math.min(101 - j, out.length - o);
    out.set(period.subarray(j, j + n), o);
    o += n;
    j = 0;
  }
  return out;
}

const CHUNK = 1 << 16;

/**
 * The expected result of `op`, for all ranks at once, in a SharedArrayBuffer (so every rank reads
 * it without a copy): all_reduce → count elements; reduce_scatter → the full reduction of
 * count × ranks (rank r checks slice r); all_gather → every input in rank order; broadcast → the
 * root's input.
 */
export function expectedResult(
  op: BenchOp, dtype: CollectiveDType, redop: ReduceOp, ranks: number, count: number, root: number,
): RawArray {
  const total = op === "reduce_scatter" || op === "all_gather" ? count * ranks : count;
  const out = rawArray(dtype, new SharedArrayBuffer(Math.max(4, total * itemsize(dtype))), 0, total);
  if (op === "broadcast") return fillInput(dtype, root, 0, out);
  if (op === "all_gather") {
    for (let r = 0; r < ranks; r++) fillInput(dtype, r, 0, out.subarray(r * count, (r + 1) * count) as RawArray);
    return out;
  }
  const op_ = op === "reduce_scatter" ? "sum" : redop;
  const inputs = Array.from({ length: ranks }, () => rawArray(dtype, CHUNK));
  for (let first = 0; first < total; first += CHUNK) {
    const n = Math.min(CHUNK, total - first);
    const chunk = inputs.map((a, r) => fillInput(dtype, r, first, a.subarray(0, n) as RawArray));
    out.set(referenceReduce(dtype, op_, chunk), first);
  }
  return out;
}

/** The part of `expectedResult` rank `rank` must hold. */
export function expectedSlice(op: BenchOp, expected: RawArray, rank: number, outCount: number): RawArray {
  const first = op === "reduce_scatter" ? rank * outCount : 0;
  return expected.subarray(first, first + outCount) as RawArray;
}

/**
 * Relative tolerance for backends that are not bit-exact with the oracle (the GPU: avg's division
 * may be off by an ulp or two of f32, which can move an f16/bf16 rounding by one of their ulps):
 * the correctness matrix's values. The cpu backend is checked bit for bit.
 */
export const TOLERANCE: Readonly<Record<CollectiveDType, number>> = {
  float32: 2 ** -20, float16: 2 ** -9, bfloat16: 2 ** -6, int32: 0,
};

/** Wrong elements of `got` (stored values) against `want`; a length mismatch counts every element. */
export function countWrong(dtype: CollectiveDType, got: ArrayLike<number>, want: RawArray, exact: boolean): number {
  if (got.length !== want.length) return Math.max(got.length, want.length);
  let wrong = 0;
  if (dtype === "int32" || (exact && dtype !== "float32")) {
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) wrong++;
    return wrong;
  }
  if (exact) {
    for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) wrong++;
    return wrong;
  }
  const tol = TOLERANCE[dtype];
  for (let i = 0; i < want.length; i++) {
    const g = widen(dtype, got[i]);
    const w = widen(dtype, want[i]);
    if (g === w || (g !== g && w !== w)) continue;
    if (!(Math.abs(g - w) / Math.max(1, Math.abs(w)) <= tol)) wrong++;
  }
  return wrong;
}

/** Host bytes of a raw array (for uploads). */
export function bytesOf(a: AnyTypedArray | RawArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * all_to_all: what rank `rank` must hold, computed from the inputs' generator alone: chunk `rank`
 * (`count` elements) of every rank's input, in rank order.
 */
export function expectedAllToAll(dtype: CollectiveDType, rank: number, ranks: number, count: number): RawArray {
  const out = rawArray(dtype, count * ranks);
  for (let s = 0; s < ranks; s++) fillInput(dtype, s, rank * count, out.subarray(s * count, (s + 1) * count) as RawArray);
  return out;
}

/**
 * all_to_all_vdev_2d: what rank `rank` must hold in its first receivedTotal elements, from the
 * generator and the split plan alone: for each local expert e, then each source rank s, the
 * elements of s's input in its bin (rank, e), expert-major as PyTorch lays them out.
 */
export function expectedVdev2d(dtype: CollectiveDType, rank: number, plan: SplitPlan): RawArray {
  const out = rawArray(dtype, receivedTotal(plan, rank));
  let at = 0;
  for (let e = 0; e < plan.experts; e++) {
    for (let s = 0; s < plan.ranks; s++) {
      const bin = rank * plan.experts + e;
      const len = plan.inSplits[s][bin];
      fillInput(dtype, s, sourceOffset(plan, s, bin), out.subarray(at, at + len) as RawArray);
      at += len;
    }
  }
  return out;
}

/**
 * all_to_all_vdev_2d's #wrong on rank `rank`: `got` is the whole `out` (poisoned with 0xff bytes
 * before the call); each received chunk, at the offset PyTorch gives it (receivedOffsets), is
 * compared with `want` (expectedVdev2d), and every element outside them — the padding of empty
 * experts and the tail — must still be poison: PyTorch writes only the received rows.
 */
export function countWrongVdev2d(
  dtype: CollectiveDType, got: ArrayLike<number>, want: RawArray, rank: number, plan: SplitPlan, exact: boolean,
): number {
  const t = got as unknown as RawArray;
  const splits = receivedSplits(plan, rank);
  const offsets = receivedOffsets(plan, rank);
  const written = new Uint8Array(t.length);
  let wrong = 0;
  let at = 0;
  splits.forEach((len, k) => {
    const off = offsets[k];
    if (off + len > t.length) {
      wrong += len;
    } else {
      wrong += countWrong(dtype, t.subarray(off, off + len), want.subarray(at, at + len) as RawArray, exact);
      written.fill(1, off, off + len);
    }
    at += len;
  });
  const elem = t.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(t.buffer, t.byteOffset, t.length * elem);
  for (let i = 0; i < t.length; i++) {
    if (written[i] === 1) continue;
    for (let b = 0; b < elem; b++) {
      if (bytes[i * elem + b] !== 0xff) {
        wrong++;
        break;
      }
    }
  }
  return wrong;
}
