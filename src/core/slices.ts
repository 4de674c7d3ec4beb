/** How the collectives split `n` elements among ranks. */

/** Slice `rank` of `n` elements split `world` ways: ceil(n / world) each; the last may be short or empty. */
export function sliceOf(n: number, world: number, rank: number): { first: number; count: number } {
  const chunk = Math.ceil(n / world);
  const first = Math.min(n, rank * chunk);
  return { first, count: Math.min(n, first + chunk) - first };
}

/** Like sliceOf, with slices a multiple of `align` elements (so every slice starts on a 4-byte word). */
export function alignedSliceOf(n: number, world: number, rank: number, align: number): { first: number; count: number } {
  const per = Math.ceil(n / world / align) * align;
  const first = Math.min(n, rank * per);
  return { first, count: Math.min(n, first + per) - first };
}
