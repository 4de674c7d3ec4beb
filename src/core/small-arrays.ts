/**
 * Small host arrays carved out of shared 4 KiB chunks, as Node's `Buffer.allocUnsafe` pools
 * allocations under 4 KiB: on Deno every `new Float32Array(n)` allocates its own ArrayBuffer
 * (Deno's V8 keeps no typed array on the JS heap), which costs ~0.7 µs whatever the size —
 * a seventh of an 8-byte all-reduce's whole host path (test/perf/dispatch-cost.ts). A view
 * into a chunk costs ~0.03 µs. Each slot is handed out once (never reused), so it starts zeroed
 * like a fresh array; a chunk is freed with the last view into it.
 *
 * The price: such an array's `.buffer` is the chunk, larger than the array and shared with other
 * small arrays, so it must not be transferred (postMessage's transfer list would detach its
 * neighbours); `data.slice()` gives an array of its own.
 */
import { type AnyTypedArray, type DType, itemsize, typedView } from "./dtype.ts";

/** Bytes of one chunk. */
export const SMALL_CHUNK_BYTES = 4096;
/** Largest array served from a chunk, in bytes; larger ones get an ArrayBuffer of their own. */
export const SMALL_ARRAY_MAX_BYTES = 256;

let chunk = new ArrayBuffer(SMALL_CHUNK_BYTES);
let used = 0;

/** A zeroed array of `count` elements of `dtype`: a view into a shared chunk when small. */
export function smallArray<D extends DType>(dtype: D, count: number): AnyTypedArray {
  const bytes = count * itemsize(dtype);
  if (bytes > SMALL_ARRAY_MAX_BYTES || bytes === 0) return typedView(dtype, new ArrayBuffer(bytes), 0, count);
  const aligned = (bytes + 7) & ~7;
  if (used + aligned > SMALL_CHUNK_BYTES) {
    chunk = new ArrayBuffer(SMALL_CHUNK_BYTES);
    used = 0;
  }
  const view = typedView(dtype, chunk, used, count);
  used += aligned;
  return view;
}
