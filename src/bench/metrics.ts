/**
 * Bandwidths as nccl-tests defines them (its doc/PERFORMANCE.md): algbw = bytes / time, busbw = algbw
 * times the op's bus factor, so busbw is comparable across world sizes. GB/s are 1e9 bytes/s.
 */
import { type CollectiveDType, itemsize } from "../internal.ts";
import type { BenchOp } from "./flags.ts";

/** busbw / algbw for `op` over `ranks` ranks. */
export function busFactor(op: BenchOp, ranks: number): number {
  switch (op) {
    case "all_reduce": return (2 * (ranks - 1)) / ranks;
    case "reduce_scatter":
    case "all_gather":
    case "all_to_all":
    case "all_to_all_vdev_2d":
    case "fused_all_gather_matmul":
    case "fused_matmul_reduce_scatter": return (ranks - 1) / ranks;
    case "broadcast": return 1;
  }
}

/**
 * The bytes algbw counts: S for all_reduce and broadcast, count × ranks × elem for reduce_scatter,
 * all_gather and all_to_all (count: one peer's chunk), and for all_to_all_vdev_2d the bytes each
 * rank sends (count: its elements), which is also the mean of what the ranks receive. The fused
 * ops count their collective's bytes as all_gather / reduce_scatter do (the matmul's FLOPs are not
 * a bandwidth): count × ranks × elem, the gathered or scattered activation.
 */
export function algBytes(op: BenchOp, count: number, ranks: number, dtype: CollectiveDType): number {
  const elem = itemsize(dtype);
  const perRank = op === "reduce_scatter" || op === "all_gather" || op === "all_to_all" ||
    op === "fused_all_gather_matmul" || op === "fused_matmul_reduce_scatter";
  return perRank ? count * ranks * elem : count * elem;
}

export function bandwidth(
  op: BenchOp, count: number, ranks: number, dtype: CollectiveDType, timeUs: number,
): { algbw: number; busbw: number } {
  const algbw = timeUs > 0 ? algBytes(op, count, ranks, dtype) / (timeUs * 1e-6) / 1e9 : 0;
  return { algbw, busbw: algbw * busFactor(op, ranks) };
}

/** The median of `xs` (0 for none): the benchmark's per-iteration times beside their mean. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
