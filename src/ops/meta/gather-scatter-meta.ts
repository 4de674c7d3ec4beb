/** Meta kernels of all-gather and reduce-scatter, and the shapes the high-level API allocates. */
import type { MetaContext, TensorMeta } from "../../library/meta.ts";
import {
  checkOut, checkReduction, groupSizeOf, numel, opName, sameDType, scatterPart, tensor, type Args,
} from "../shape-checks.ts";

/** The shape the high-level allGather allocates: dim 0 times the group size ([size] for a 0-d input). */
export function allGatherOutShape(shape: readonly number[], groupSize: number): number[] {
  return shape.length === 0 ? [groupSize] : [shape[0] * groupSize, ...shape.slice(1)];
}

export function allGatherOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  const out = tensor(args, "out");
  sameDType(op, ["input", input], ["out", out]);
  checkOut(op, "out", out, numel(input) * size, `the numel of input × group size ${size}`);
  return out;
}

/**
 * The element count of this rank's part (every rank's is the same), with the kernel's
 * divisibility errors: split_last_dim false splits the flattened input, true the last dim.
 */
export function reduceScatterCount(op: string, shape: readonly number[], size: number, splitLastDim: boolean): number {
  return scatterPart(op, shape, shape.reduce((a, d) => a * d, 1), size, 0, splitLastDim).count;
}

/**
 * The shape the high-level reduceScatter allocates: the last dim divided (split_last_dim), else
 * dim 0 divided when it divides, else flat. Throws the kernel's divisibility errors.
 */
export function reduceScatterOutShape(op: string, shape: readonly number[], size: number, splitLastDim: boolean): number[] {
  const count = reduceScatterCount(op, shape, size, splitLastDim);
  if (splitLastDim) return [...shape.slice(0, -1), shape[shape.length - 1] / size];
  if (shape.length > 0 && shape[0] % size === 0) return [shape[0] / size, ...shape.slice(1)];
  return [count];
}

export function reduceScatterOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, "sum", input.dtype);
  const count = reduceScatterCount(op, input.shape, size, args.split_last_dim === true);
  const output = tensor(args, "output");
  sameDType(op, ["input", input], ["output", output]);
  checkOut(op, "output", output, count, `the numel of input / ${size}`);
  return output;
}
