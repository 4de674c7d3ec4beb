/**
 * The size sweep and the element counts behind each row, as nccl-tests computes them: the row's
 * size is the larger of one rank's send and receive buffers, its count the elements nccl-tests
 * passes to the collective (per rank: reduce_scatter's output, all_gather's input, all_to_all's
 * chunk for one peer). all_to_all_vdev_2d has no nccl-tests counterpart: its size is the bytes each
 * rank sends (the same on every rank; what each receives differs, see splits.ts) and its count
 * those bytes' elements.
 */
import { type CollectiveDType, itemsize } from "../internal.ts";
import type { BenchOp, BenchOptions } from "./flags.ts";
import { BenchFlagError, CLI_NAMES, DEFAULT_HIDDEN, type OptionNames } from "./flags.ts";
import { formatBytes } from "./format.ts";
import { DEFAULT_EXPERTS, outCapacity, SPLIT_UNIT_BYTES, splitPlan, type SplitPlan } from "./splits.ts";

export const MAX_ROWS = 200;

/** min, min·f, min·f², … ≤ max (or min, min+i, …): nccl-tests' loop, max itself only when reached. */
export function sweep(
  o: Pick<BenchOptions, "minBytes" | "maxBytes" | "stepFactor" | "stepBytes">, names: OptionNames = CLI_NAMES,
): number[] {
  const sizes: number[] = [];
  const n = names.short;
  for (let s = o.minBytes; s <= o.maxBytes;) {
    sizes.push(s);
    if (sizes.length > MAX_ROWS) {
      throw new BenchFlagError(names.cli
        ? `-b ${o.minBytes} -e ${o.maxBytes} gives more than ${MAX_ROWS} sizes: raise -f or -i`
        : `${n("minBytes")} ${formatBytes(o.minBytes)} to ${n("maxBytes")} ${formatBytes(o.maxBytes)} gives more than ${MAX_ROWS} sizes: ` +
          `raise ${n(o.stepBytes > 0 ? "stepBytes" : "stepFactor")}`, o.stepBytes > 0 ? "stepBytes" : "stepFactor");
    }
    const next = o.stepBytes > 0 ? s + o.stepBytes : Math.floor(s * o.stepFactor);
    s = next > s ? next : s + 1;
  }
  return sizes;
}

/** What one row moves: elements per rank in and out, the printed count and size. */
export interface RowShape {
  /** Elements of each rank's input. */
  readonly inCount: number;
  /** Elements of each rank's result. */
  readonly outCount: number;
  /** nccl-tests' count column. */
  readonly count: number;
  /** nccl-tests' size column (bytes). */
  readonly size: number;
  /** all_to_all_vdev_2d: the row's splits. */
  readonly splits?: SplitPlan;
  /** The fused ops: the matmul's shape (see fusedShape). */
  readonly mm?: MatmulShape;
}

/**
 * The fused ops' matmul, for a row: M rows of the gathered (or scattered) activation, K = N =
 * --hidden. fused_all_gather_matmul: A [M/world, K] per rank, gathered to [M, K], times B [K, N]
 * (every rank computes all of [M, N]). fused_matmul_reduce_scatter: A [M, K] per rank times B
 * [K, N], the [M, N] products summed and scattered by rows ([M/world, N] per rank).
 */
export interface MatmulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * A fused row: size = the gathered (all-gather) or scattered (reduce-scatter) activation's bytes,
 * M · K · elem = M · N · elem, with M rounded down to whole rows per rank; count = the elements of
 * one rank's share of it (M/world · K), as nccl-tests' all_gather / reduce_scatter count.
 */
function fusedShape(op: "fused_all_gather_matmul" | "fused_matmul_reduce_scatter", bytes: number, ranks: number,
  elem: number, hidden: number): RowShape {
  const perRank = Math.floor(bytes / (ranks * hidden * elem));
  const m = perRank * ranks;
  const mm = { m, k: hidden, n: hidden };
  const count = perRank * hidden;
  const size = m * hidden * elem;
  return op === "fused_all_gather_matmul"
    ? { inCount: count, outCount: m * hidden, count, size, mm }
    : { inCount: m * hidden, outCount: count, count, size, mm };
}

export function rowShape(
  op: BenchOp, bytes: number, ranks: number, dtype: CollectiveDType, experts: number = DEFAULT_EXPERTS,
  hidden: number = DEFAULT_HIDDEN,
): RowShape {
  const elem = itemsize(dtype);
  switch (op) {
    case "all_reduce":
    case "broadcast": {
      const count = Math.floor(bytes / elem);
      return { inCount: count, outCount: count, count, size: count * elem };
    }
    case "reduce_scatter": {
      const count = Math.floor(bytes / (ranks * elem));
      return { inCount: count * ranks, outCount: count, count, size: count * ranks * elem };
    }
    case "all_gather": {
      const count = Math.floor(bytes / (ranks * elem));
      return { inCount: count, outCount: count * ranks, count, size: count * ranks * elem };
    }
    case "all_to_all": {
      // nccl-tests (src/alltoall.cu): count/nranks elements for each peer, rounded down to a multiple
      // of 16 bytes; send and receive buffers both nranks of them.
      const unit = Math.max(1, SPLIT_UNIT_BYTES / elem);
      const count = Math.floor(bytes / (ranks * elem * unit)) * unit;
      return { inCount: count * ranks, outCount: count * ranks, count, size: count * ranks * elem };
    }
    case "all_to_all_vdev_2d": {
      const splits = splitPlan(ranks, experts, Math.floor(bytes / elem), Math.max(1, SPLIT_UNIT_BYTES / elem));
      return { inCount: splits.total, outCount: outCapacity(splits), count: splits.total, size: splits.total * elem, splits };
    }
    case "fused_all_gather_matmul":
    case "fused_matmul_reduce_scatter":
      return fusedShape(op, bytes, ranks, elem, hidden);
  }
}
