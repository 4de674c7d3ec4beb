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

