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
import { BenchFlagError, CLI_NAMES, type OptionNames } from "./flags.ts";
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
}

export function rowShape(
  op: BenchOp, bytes: number, ranks: number, dtype: CollectiveDType, experts: number = DEFAULT_EXPERTS,
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
  }
}
