/**
 * The expert-major bookkeeping after dispatch. all_to_all_vdev_2d writes `out_splits_offsets`
 * [2, expertsPerRank × worldSize]: column e × worldSize + s holds the rows local expert e got
 * from rank s and where they start in `out`. A rank's chunks for one expert are contiguous (the
 * minor offsets are not aligned); `major_align` up-aligns where each expert's block starts, and an
 * expert that got nothing still spans `major_align` rows (PyTorch: grouped GEMMs refuse empty
 * bins). This file reads the blocks back and checks that the offsets say exactly that.
 */

/** One local expert's block of the dispatch output. */
export interface ExpertBlock {
  /** Local expert index (0 .. expertsPerRank - 1). */
  readonly local: number;
  /** First row of the block (a multiple of major_align). */
  readonly start: number;
  /** Rows received, from every rank: the real tokens, at start .. start + rows. */
  readonly rows: number;
  /** Rows the block spans: rows rounded up to major_align, at least major_align. */
  readonly span: number;
}

/** rows rounded up to `align`, and `align` for an empty bin (PyTorch's rule). */
export function alignedSpan(rows: number, align: number): number {
  return Math.max(align, Math.ceil(rows / align) * align);
}

/**
 * The blocks `out_splits_offsets` describes (row 0 splits, row 1 offsets); throws, naming the
 * column, when the offsets are not the expert-major, major_align-padded layout.
 */
export function expertBlocks(splitsOffsets: ArrayLike<number>, worldSize: number, expertsPerRank: number, align: number): ExpertBlock[] {
  const n = worldSize * expertsPerRank;
  if (splitsOffsets.length !== 2 * n) throw new Error(`moe: out_splits_offsets has ${splitsOffsets.length} values, expected 2 × ${n}`);
  const blocks: ExpertBlock[] = [];
  let start = 0;
  for (let e = 0; e < expertsPerRank; e++) {
    let rows = 0;
    for (let s = 0; s < worldSize; s++) {
      const col = e * worldSize + s;
      const split = splitsOffsets[col], offset = splitsOffsets[n + col];
      if (split < 0) throw new Error(`moe: out_splits_offsets column ${col} (expert ${e}, from rank ${s}): negative split ${split}`);
      if (offset !== start + rows) {
        throw new Error(`moe: out_splits_offsets column ${col} (expert ${e}, from rank ${s}): offset ${offset}, expected ` +
          `${start + rows} (expert ${e}'s block starts at ${start}, ${rows} rows before this rank's)`);
      }
      rows += split;
    }
    const span = alignedSpan(rows, align);
    blocks.push({ local: e, start, rows, span });
    start += span;
  }
  return blocks;
}

/** Rows the blocks use, padding included. */
export function usedRows(blocks: readonly ExpertBlock[]): number {
  const last = blocks.at(-1);
  return last === undefined ? 0 : last.start + last.span;
}
