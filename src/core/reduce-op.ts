import { quote } from "./args.ts";
import { OpError } from "./errors.ts";
import type { DType } from "./dtype.ts";

/**
 * How the collectives combine the ranks' elements: the values of the ops' `reduce_op` argument and
 * of `AllReduceOptions.op`. "avg" is the sum divided by the number of ranks reduced, for floating
 * dtypes only (int32 is refused).
 */
export type ReduceOp = "sum" | "avg" | "max" | "min" | "prod";
/** Every ReduceOp, in the order error messages list them. */
export const REDUCE_OPS: readonly ReduceOp[] = ["sum", "avg", "max", "min", "prod"];

/** Element types the collectives compute on. */
export type CollectiveDType = "float32" | "float16" | "bfloat16" | "int32";
/** Every CollectiveDType, in the order error messages list them. */
export const COLLECTIVE_DTYPES: readonly CollectiveDType[] = ["float32", "float16", "bfloat16", "int32"];

/** Checks a reduce op and dtype for `op` (an op name for messages) and returns them typed. */
export function checkReduction(
  op: string, reduceOp: unknown, dtype: DType, arg = "input",
): { reduceOp: ReduceOp; dtype: CollectiveDType } {
  if (typeof reduceOp !== "string" || !(REDUCE_OPS as readonly string[]).includes(reduceOp)) {
    throw new OpError(`${op}: argument "reduce_op" expected one of ${REDUCE_OPS.join(", ")}, found ${quote(reduceOp)}`);
  }
  const dt = checkDType(op, arg, dtype);
  requireReducible(op, reduceOp as ReduceOp, dt);
  return { reduceOp: reduceOp as ReduceOp, dtype: dt };
}

/** An integer mean would have to pick a rounding; PyTorch's collectives refuse it too. */
export function requireReducible(op: string, reduceOp: ReduceOp, dtype: CollectiveDType): void {
  if (reduceOp === "avg" && dtype === "int32") {
    throw new OpError(`${op}: reduce_op "avg" is not valid for dtype int32: expected a floating dtype (float32, float16, bfloat16)`);
  }
}

export function checkDType(op: string, arg: string, dtype: DType): CollectiveDType {
  if (!(COLLECTIVE_DTYPES as readonly string[]).includes(dtype)) {
    throw new OpError(`${op}: argument "${arg}" has dtype ${dtype}; expected one of ${COLLECTIVE_DTYPES.join(", ")}`);
  }
  return dtype as CollectiveDType;
}
