/** Meta kernels of the all-reduce family (see symm-mem-meta.ts). */
import { OpError } from "../../core/errors.ts";
import { tensorMeta, type MetaContext, type TensorMeta } from "../../library/meta.ts";
import {
  checkOut, checkReduction, checkRoot, groupSizeOf, numel, opName, sameDType, tensor, type Args,
} from "../shape-checks.ts";

/** A new tensor like `t`: what one_shot_all_reduce returns (PyTorch's meta: empty_like(input)). */
export function like(t: TensorMeta): TensorMeta {
  return tensorMeta(t.shape, t.dtype);
}

export function oneShotAllReduce(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return like(input);
}

/** The kernels' outArg: same dtype as input, exactly input's element count and shape. */
function outLikeInput(op: string, args: Args, name: string, input: TensorMeta): TensorMeta {
  const out = tensor(args, name);
  sameDType(op, ["input", input], [name, out]);
  checkOut(op, name, out, numel(input), "the shape of input", input.shape);
  return out;
}

export function oneShotAllReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  return outLikeInput(op, args, "out", input);
}

/** The kernels' stageCopy: local_input fits in symm_buffer, one dtype. */
function stageCopy(args: Args, ctx: MetaContext): { buffer: TensorMeta; local: TensorMeta } {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const buffer = tensor(args, "symm_buffer");
  const local = tensor(args, "local_input");
  sameDType(op, ["symm_buffer", buffer], ["local_input", local]);
  // The kernel names the dtype's argument "input" here too (checkReduction's default).
  checkReduction(op, args.reduce_op, buffer.dtype);
  if (numel(local) > numel(buffer)) {
    throw new OpError(
      `${op}: argument "symm_buffer" is too small: expected at least ${numel(local)} elements ` +
        `(the numel of local_input), found ${numel(buffer)}`,
    );
  }
  return { buffer, local };
}

export function oneShotAllReduceCopy(args: Args, ctx: MetaContext): TensorMeta {
  return like(stageCopy(args, ctx).local);
}

export function oneShotAllReduceCopyOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const { local } = stageCopy(args, ctx);
  const out = tensor(args, "out");
  sameDType(op, ["local_input", local], ["out", out]);
  checkOut(op, "out", out, numel(local), "the shape of local_input", local.shape);
  return out;
}

export function allReduceInPlace(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return input;
}

export function twoShotAllReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  return outLikeInput(op, args, "output", input);
}

export function oneShotReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  checkRoot(op, args.root, args.group_name as string, size);
  return outLikeInput(op, args, "out", input);
}
