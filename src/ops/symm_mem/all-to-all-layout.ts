/**
 * Where the rows of the all-to-alls go: pure functions from every rank's splits (and offsets) to
 * one rank's chunks (which rows it pulls from which peer, to which rows of its `out`) and its
 * `out_splits_offsets`, after PyTorch's kernels in torch/csrc/distributed/c10d/symm_mem/
 * nvshmem_extension.cu (exchangeSplitAndOffset, exchangeSplitAndOffset_2d, allToAllV,
 * allToAllV_2d) and its tests (test/distributed/test_nvshmem.py). Offsets and splits count rows
 * of dim 0 (PyTorch's `stride(0)` unit). Every check here runs on every rank with the same words,
 * so a bad call gets the same OpError everywhere, naming the rank at fault.
 */
import { OpError } from "../../core/errors.ts";

/** `rows` rows of `peer`'s input from row `srcRow`, into rows from `dstRow` of this rank's out. */
export interface Chunk {
  readonly peer: number;
  readonly srcRow: number;
  readonly dstRow: number;
  readonly rows: number;
}

/** One receiving rank's chunks and its `out_splits_offsets` (row 0: splits, row 1: offsets). */
export interface Layout {
  readonly chunks: readonly Chunk[];
  readonly splitsOffsets: Int32Array;
}

/** Exclusive prefix sums of `v[from, from + n)`. */
function exclusive(v: ArrayLike<number>, from = 0, n = v.length - from): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    out.push(s);
    s += v[from + i];
  }
  return out;
}

function layoutOf(chunks: Chunk[], n: number, at: (c: number) => number): Layout {
  const splitsOffsets = new Int32Array(2 * n);
  chunks.forEach((c, i) => {
    splitsOffsets[at(i)] = c.rows;
    splitsOffsets[n + at(i)] = c.dstRow;
  });
  return { chunks, splitsOffsets };
}

/** Every rank's first `n` words must be non-negative splits. */
export function checkSplits(op: string, all: readonly Int32Array[], n: number, name: string): void {
  all.forEach((w, p) => {
    for (let i = 0; i < n; i++) {
      if (w[i] < 0) throw new OpError(`${op}: rank ${p}'s ${name}[${i}] is ${w[i]}: expected a split ≥ 0 (rows to send)`);
    }
  });
}

/** 1-d and 2-d: a rank's splits, read from its row 0 on, must fit its input (PyTorch asserts this for 2-d). */
export function checkSplitSums(op: string, all: readonly Int32Array[], n: number, inputRows: number, name: string): void {
  all.forEach((w, p) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += w[i];
    if (sum > inputRows) {
      throw new OpError(`${op}: rank ${p}'s ${name} add up to ${sum} rows, but its input has ${inputRows} rows (dim 0)`);
    }
  });
}

/** Each receiving rank's chunks must fit its `out`; the first that does not is named, rank by rank. */
export function checkFits(op: string, layouts: readonly Layout[], outRows: number): void {
  layouts.forEach((l, r) => {
    const total = l.chunks.reduce((s, c) => s + c.rows, 0);
    for (const c of l.chunks) {
      if (c.rows > 0 && c.dstRow + c.rows > outRows) {
        throw new OpError(
          `${op}: rank ${r} would receive ${c.rows} rows from rank ${c.peer} at rows [${c.dstRow}, ${c.dstRow + c.rows}) ` +
            `of its out, but out has ${outRows} rows (dim 0); rank ${r} receives ${total} rows in all`,
        );
      }
    }
  });
}

/**
 * all_to_all_vdev: `in_splits[p]` rows go to rank p, in rank order from row 0. Rank r gets
 * `out_splits[p]` = rank p's `in_splits[r]`, read from p's row `sum(in_splits_p[0..r))`, placed
 * rank after rank: `out_offsets` = exclusive prefix sums of `out_splits`.
 */
export function layout1d(all: readonly Int32Array[], r: number): Layout {
  const world = all.length;
  const chunks: Chunk[] = [];
  let dst = 0;
  for (let p = 0; p < world; p++) {
    const rows = all[p][r];
    chunks.push({ peer: p, srcRow: exclusive(all[p], 0, world)[r], dstRow: dst, rows });
    dst += rows;
  }
  return layoutOf(chunks, world, (i) => i);
}

/**
 * all_to_all_vdev_2d (MoE dispatch): rank p's input is rank-major, `in_splits[q * ne + e]` rows
 * for expert e of rank q, from row 0. Rank r's output is expert-major: split `e * world + p` is
 * rank p's `in_splits[r * ne + e]`. Each expert's block starts at an offset up-aligned to
 * `majorAlign` (PyTorch's `major_align.value_or(1)`), and a block's length is at least
 * `majorAlign`, so an empty expert still takes `majorAlign` rows (cutlass has no empty bins,
 * pytorch/pytorch#152668); the offsets of the ranks within a block are not aligned.
 */
export function layout2d(all: readonly Int32Array[], r: number, ne: number, majorAlign: number): Layout {
  const world = all.length;
  const n = world * ne;
  const src = all.map((w) => exclusive(w, 0, n));
  const chunks: Chunk[] = [];
  let start = 0;
  for (let e = 0; e < ne; e++) {
    let len = 0;
    for (let p = 0; p < world; p++) {
      const i = r * ne + e;
      const rows = all[p][i];
      chunks.push({ peer: p, srcRow: src[p][i], dstRow: start + len, rows });
      len += rows;
    }
    const aligned = Math.ceil(len / majorAlign) * majorAlign;
    start += Math.max(aligned, majorAlign);
  }
  return layoutOf(chunks, n, (i) => i);
}

/**
 * all_to_all_vdev_2d_offset (MoE combine): rank p's input is expert-major, split `e * world + q`
 * (rows for rank q from its expert e) at row `in_offsets[e * world + q]`, padding between chunks
 * allowed and never sent. Rank r's output is rank-major: split `p * ne + e` is rank p's split
 * `e * world + r`, packed without alignment (out_offsets: exclusive prefix sums).
 */
export function layout2dOffset(all: readonly Int32Array[], r: number, ne: number): Layout {
  const world = all.length;
  const n = world * ne;
  const chunks: Chunk[] = [];
  let dst = 0;
  for (let p = 0; p < world; p++) {
    for (let e = 0; e < ne; e++) {
      const i = e * world + r;
      const rows = all[p][i];
      chunks.push({ peer: p, srcRow: all[p][n + i], dstRow: dst, rows });
      dst += rows;
    }
  }
  return layoutOf(chunks, n, (i) => i);
}

/** 2d_offset: every rank's chunks, at their offsets (word n on), must lie in its input. */
export function checkOffsetSources(op: string, all: readonly Int32Array[], n: number, inputRows: number): void {
  all.forEach((w, p) => {
    for (let i = 0; i < n; i++) {
      const at = w[n + i];
      if (at < 0 || at + w[i] > inputRows) {
        throw new OpError(
          `${op}: rank ${p}'s in_splits_offsets column ${i} sends rows [${at}, ${at + w[i]}) of its input, ` +
            `but input has ${inputRows} rows (dim 0)${at < 0 ? "; offsets must be ≥ 0" : ""}`,
        );
      }
    }
  });
}
