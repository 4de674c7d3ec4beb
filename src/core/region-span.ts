/** The shape of a heap region: contiguous, or rows of `rowLength` elements `rowStride` apart. */
import type { HeapRegion } from "./reducer.ts";

/** Rows of `rowLength` elements, `rowStride` elements apart (a chunk of every row's last dim). */
export interface RowLayout {
  readonly rowLength: number;
  readonly rowStride: number;
}

/** Elements a region of `count` elements spans from its first to its last (strides included). */
export function regionSpan(region: Pick<HeapRegion, "rowLength" | "rowStride">, count: number): number {
  if (count === 0) return 0;
  if (region.rowLength === undefined) return count;
  const rows = count / region.rowLength;
  return (rows - 1) * (region.rowStride ?? region.rowLength) + region.rowLength;
}

/** Calls `fn(sourceElement, packedElement, length)` for each contiguous run of a region. */
export function forEachRun(
  region: Pick<HeapRegion, "rowLength" | "rowStride">,
  count: number,
  fn: (from: number, to: number, length: number) => void,
): void {
  if (count === 0) return;
  const len = region.rowLength;
  if (len === undefined || (region.rowStride ?? len) === len) {
    fn(0, 0, count);
    return;
  }
  const stride = region.rowStride ?? len;
  for (let from = 0, to = 0; to < count; from += stride, to += len) fn(from, to, len);
}


/** Writes `count` packed elements of `size` bytes into `dst`'s runs (its rows, when it has them). */
export function writeRegion(dst: HeapRegion, packed: Uint8Array, count: number, size: number): void {
  forEachRun(dst, count, (from, to, n) => {
    new Uint8Array(dst.slab, dst.byteOffset + from * size, n * size).set(packed.subarray(to * size, (to + n) * size));
  });
}

/** `region` advanced by `first` elements (`first` a multiple of its row length when it has rows). */
export function advanceRegion(region: HeapRegion, first: number, size: number): HeapRegion {
  const len = region.rowLength;
  const stride = region.rowStride ?? len;
  const skip = len === undefined || stride === len ? first : (first / len) * stride!;
  return { ...region, byteOffset: region.byteOffset + skip * size };
}
