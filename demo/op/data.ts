/**
 * The op runner's deterministic inputs: rank `rank`'s element `i` for a seed, as stored (raw bits
 * for float16 and bfloat16). The rank worker builds its tensors from these and the page rebuilds
 * them for its own, independent computation of the expected results (demo/op/reference.ts).
 * Floats are ±[0.5, 2) with few mantissa bits in use, so sums, products and averages of up to
 * 16 ranks stay finite and normal in every dtype; int32 spans the whole range, so sums and
 * products wrap, as the library's int32 arithmetic does.
 */
import { bitsToFloat, floatToBits, type ElementDType } from "./numeric.ts";

/** A well-mixed u32 of (seed, rank, index) (murmur3's finaliser over a combined key). */
export function opMix(seed: number, rank: number, i: number): number {
  let h = (seed ^ Math.imul(rank + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One stored element. Floats take 1/128 steps in [0.5, 2), so float16 and bfloat16 hold them exactly. */
export function opElement(dtype: ElementDType, seed: number, rank: number, i: number): number {
  const u = opMix(seed, rank, i);
  if (dtype === "int32") return u | 0;
  if (dtype === "uint32") return u;
  const v = (u >>> 31 ? -1 : 1) * (0.5 + ((u >>> 8) % 192) / 128);
  return floatToBits(dtype, v);
}

/** Rank `rank`'s whole input of `count` elements, as the typed array its dtype is stored in. */
export function opInput(dtype: ElementDType, seed: number, rank: number, count: number): StoredArray {
  const out = storedArray(dtype, count);
  for (let i = 0; i < count; i++) out[i] = opElement(dtype, seed, rank, i);
  return out;
}

export type StoredArray = Float32Array | Int32Array | Uint32Array | Uint16Array;

/** An empty array of `count` elements of `dtype`, as the library stores them (Uint16Array of bits for f16/bf16). */
export function storedArray(dtype: ElementDType, count: number): StoredArray {
  switch (dtype) {
    case "float32": return new Float32Array(count);
    case "int32": return new Int32Array(count);
    case "uint32": return new Uint32Array(count);
    default: return new Uint16Array(count);
  }
}

/** A stored element as a number a person reads (f16/bf16 bits decoded). */
export function displayValue(dtype: ElementDType, raw: number): number {
  return dtype === "float16" || dtype === "bfloat16" ? bitsToFloat(dtype, raw) : raw;
}
