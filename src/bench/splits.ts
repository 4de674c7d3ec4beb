/**
 * The benchmark's fixed, seeded uneven split pattern for `all_to_all_vdev_2d` (MoE dispatch), and
 * everything derived from it: what each rank sends to each (rank, expert) bin, what each rank
 * receives, and where (PyTorch's layout: `in_splits` rank-major, `(world · experts,)`; the output
 * expert-major, with `out_splits_offsets` `(2, world · experts)`: row 0 the received splits in
 * (expert, source rank) order, row 1 their offsets. The benchmark passes `major_align` None, which
 * PyTorch takes as 1: each expert's rows follow the previous expert's, and an expert that receives
 * nothing still takes one row (PyTorch gives an empty bin the length major_align), left unwritten.
 *
 * How a row's size maps to splits: every rank sends the same `total` elements (the row's size /
 * the element size, rounded down to whole units of 16 bytes, as nccl-tests aligns each peer's
 * chunk). Rank r draws a weight w ∈ {0, 1, 2, 3, 4} for each of its world · experts bins from
 * mulberry32(SPLIT_SEED + 7919 · r) — about one bin in five gets weight 0 and stays empty. Bin j
 * gets ⌊units · w_j / Σw⌋ units; the units left over go to the first bin of the largest weight.
 * The pattern depends on the world size and the experts, not on the size, so each row scales it.
 */
import { mulberry32 } from "../internal.ts";

/** The seed of the split pattern (the date it was fixed). */
export const SPLIT_SEED = 20261202;

/** Experts per rank, unless --experts says otherwise. */
export const DEFAULT_EXPERTS = 2;

/** Bytes of one split unit: every split is a multiple of it, so every chunk starts 16-byte aligned. */
export const SPLIT_UNIT_BYTES = 16;

/** Rank `rank`'s bin weights (world · experts of them, at least one not 0). */
export function splitWeights(rank: number, ranks: number, experts: number): number[] {
  const rand = mulberry32(SPLIT_SEED + 7919 * rank);
  const w = Array.from({ length: ranks * experts }, () => Math.floor(rand() * 5));
  if (!w.some((x) => x > 0)) w[0] = 1;
  return w;
}

/** One row's splits, in elements. */
export interface SplitPlan {
  readonly ranks: number;
  readonly experts: number;
  /** Elements every rank sends (a multiple of the unit). */
  readonly total: number;
  /** [source rank][destination rank · experts + expert]: elements. */
  readonly inSplits: readonly (readonly number[])[];
}

/** The plan for `total` elements per rank (rounded down to whole units of `unit` elements). */
export function splitPlan(ranks: number, experts: number, total: number, unit: number): SplitPlan {
  const units = Math.floor(total / unit);
  const inSplits = Array.from({ length: ranks }, (_, r) => {
    const w = splitWeights(r, ranks, experts);
    const sum = w.reduce((s, x) => s + x, 0);
    const u = w.map((x) => Math.floor((units * x) / sum));
    u[w.indexOf(Math.max(...w))] += units - u.reduce((s, x) => s + x, 0);
    return u.map((x) => x * unit);
  });
  return { ranks, experts, total: units * unit, inSplits };
}

/** Where source rank `src`'s bin `bin` starts in its input (exclusive prefix sum). */
export function sourceOffset(plan: SplitPlan, src: number, bin: number): number {
  let off = 0;
  for (let j = 0; j < bin; j++) off += plan.inSplits[src][j];
  return off;
}

/** Rank `rank`'s received splits, in (expert, source rank) order: out_splits_offsets row 0. */
export function receivedSplits(plan: SplitPlan, rank: number): number[] {
  const out: number[] = [];
  for (let e = 0; e < plan.experts; e++) {
    for (let s = 0; s < plan.ranks; s++) out.push(plan.inSplits[s][rank * plan.experts + e]);
  }
  return out;
}

/**
 * Their offsets in `out`: out_splits_offsets row 1, as PyTorch computes them. Within an expert,
 * exclusive prefix sums; expert e starts where e − 1's length ends, a length being its rows rounded
 * up to `majorAlign` (None: 1), and `majorAlign` when it has none.
 */
export function receivedOffsets(plan: SplitPlan, rank: number, majorAlign = 1): number[] {
  const splits = receivedSplits(plan, rank);
  const out: number[] = [];
  let start = 0;
  for (let e = 0; e < plan.experts; e++) {
    let off = start;
    for (let s = 0; s < plan.ranks; s++) {
      out.push(off);
      off += splits[e * plan.ranks + s];
    }
    const total = off - start;
    start += total === 0 ? majorAlign : Math.ceil(total / majorAlign) * majorAlign;
  }
  return out;
}

/** The elements of `out` rank `rank`'s result spans: its received rows and the experts' padding. */
export function outExtent(plan: SplitPlan, rank: number): number {
  const splits = receivedSplits(plan, rank);
  const offsets = receivedOffsets(plan, rank);
  const last = offsets.length - 1;
  if (last < 0) return 0;
  // the last expert's length (one row when it received nothing)
  const lastExpert = splits.slice(last + 1 - plan.ranks).reduce((s, x) => s + x, 0);
  return offsets[last + 1 - plan.ranks] + Math.max(1, lastExpert);
}

/** Elements rank `rank` receives. */
export function receivedTotal(plan: SplitPlan, rank: number): number {
  return receivedSplits(plan, rank).reduce((s, x) => s + x, 0);
}

/** The largest extent of any rank: the `out` tensor's length. */
export function outCapacity(plan: SplitPlan): number {
  return Math.max(0, ...Array.from({ length: plan.ranks }, (_, r) => outExtent(plan, r)));
}

/** Elements rank `rank` sends to other ranks, and receives from other ranks (its own bins excluded). */
export function offRank(plan: SplitPlan, rank: number): { sent: number; received: number } {
  const e = plan.experts;
  let sent = 0;
  let received = 0;
  for (let j = 0; j < plan.ranks * e; j++) if (Math.floor(j / e) !== rank) sent += plan.inSplits[rank][j];
  for (let s = 0; s < plan.ranks; s++) {
    if (s === rank) continue;
    for (let k = 0; k < e; k++) received += plan.inSplits[s][rank * e + k];
  }
  return { sent, received };
}
