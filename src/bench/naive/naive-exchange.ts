/**
 * The naive baseline's main-thread step for each op, as a developer would write it without
 * webshmem: all_reduce sums (naive-reduce.ts) and sends every worker the same result; the
 * all-to-alls cut each worker's buffer into its chunks and send worker r the chunks meant for it,
 * in the op's order (all_to_all: by source rank; all_to_all_vdev_2d: expert-major, from the
 * benchmark's split plan, which such a developer would have on the main thread too).
 */
import { type CollectiveDType, itemsize, type ReduceOp } from "../../internal.ts";
import { expectedAllToAll, expectedVdev2d, type RawArray } from "../data.ts";
import type { BenchOptions } from "../flags.ts";
import type { RowShape } from "../sizes.ts";
import { receivedTotal, sourceOffset, type SplitPlan } from "../splits.ts";
import { naiveReduce } from "./naive-reduce.ts";

/** What one size's results are checked against: one result for every worker, or worker r's. */
export type NaiveExpected = RawArray | ((worker: number) => RawArray);

/** Each worker's buffer in, each worker's result out (one for all, or one per worker). */
export type NaiveStep = (parts: readonly ArrayBuffer[]) => RawArray | readonly ArrayBuffer[];

export function reduceStep(dtype: CollectiveDType, op: ReduceOp): NaiveStep {
  return (parts) => naiveReduce(dtype, op, parts);
}

/** Worker r gets chunk r (`count` elements) of every worker's buffer, in worker order. */
export function allToAllStep(dtype: CollectiveDType, count: number): NaiveStep {
  const chunk = count * itemsize(dtype);
  return (parts) => parts.map((_, r) => {
    const out = new Uint8Array(chunk * parts.length);
    parts.forEach((p, s) => out.set(new Uint8Array(p, r * chunk, chunk), s * chunk));
    return out.buffer;
  });
}

/** Worker r gets, for each of its experts e and each worker s, s's bin (r, e) of the plan. */
export function vdev2dStep(dtype: CollectiveDType, plan: SplitPlan): NaiveStep {
  const elem = itemsize(dtype);
  return (parts) => parts.map((_, r) => {
    const out = new Uint8Array(receivedTotal(plan, r) * elem);
    let at = 0;
    for (let e = 0; e < plan.experts; e++) {
      for (let s = 0; s < plan.ranks; s++) {
        const bin = r * plan.experts + e;
        const len = plan.inSplits[s][bin] * elem;
        out.set(new Uint8Array(parts[s], sourceOffset(plan, s, bin) * elem, len), at);
        at += len;
      }
    }
    return out.buffer;
  });
}

/** The step of `o.op` at one row; undefined for the ops without a naive baseline (reduce_scatter, all_gather, broadcast). */
export function naiveStep(o: Pick<BenchOptions, "op" | "dtype" | "redop">, shape: RowShape): NaiveStep | undefined {
  switch (o.op) {
    case "all_reduce": return reduceStep(o.dtype, o.redop);
    case "all_to_all": return allToAllStep(o.dtype, shape.count);
    case "all_to_all_vdev_2d": return shape.splits === undefined ? undefined : vdev2dStep(o.dtype, shape.splits);
    default: return undefined;
  }
}

/** What the naive results are checked against: the all-reduce's one result, or each worker's share. */
export function naiveExpected(
  o: Pick<BenchOptions, "op" | "dtype" | "ranks">, shape: RowShape, allReduce: RawArray | undefined,
): NaiveExpected | undefined {
  switch (o.op) {
    case "all_to_all": return (r) => expectedAllToAll(o.dtype, r, o.ranks, shape.count);
    case "all_to_all_vdev_2d": {
      const plan = shape.splits;
      return plan === undefined ? undefined : (r) => expectedVdev2d(o.dtype, r, plan);
    }
    default: return allReduce;
  }
}
