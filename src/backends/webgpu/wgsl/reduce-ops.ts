import type { ReduceOp } from "../../../core/reduce-op.ts";

/**
 * The WGSL of each reduce op, in the accumulator type: `combine` folds source b into a (always
 * in source order), `finish` maps the final accumulator v. WGSL's i32 `+` and `*` wrap, like the
 * host oracle's `| 0` and `Math.imul`; avg exists only for float dtypes (checked by the caller).
 * WGSL leaves max/min of a NaN to the implementation, where the oracle propagates it: results
 * with NaN inputs may differ between GPUs.
 */
export const REDUCE_OP_WGSL: Readonly<Record<ReduceOp, { readonly combine: string; readonly finish: string }>> = {
  sum: { combine: "a + b", finish: "v" },
  avg: { combine: "a + b", finish: "v / f32(params.sources)" },
  max: { combine: "max(a, b)", finish: "v" },
  min: { combine: "min(a, b)", finish: "v" },
  prod: { combine: "a * b", finish: "v" },
};
