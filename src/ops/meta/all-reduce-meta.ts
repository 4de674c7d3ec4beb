/** Meta kernels of the all-reduce family (see symm-mem-meta.ts). */
import { tensorMeta, type MetaContext, type TensorMeta } from "../../library/meta.ts";
import {
  checkCopyOut, checkOutLike, checkReduction, checkRoot, checkStageCopy, groupSizeOf, opName, tensor, type Args,
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
  checkOutLike(op, name, out, input, "the shape of input");
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
  checkStageCopy(op, buffer, local, args.reduce_op);
  return { buffer, local };
}

export function oneShotAllReduceCopy(args: Args, ctx: MetaContext): TensorMeta {
  return like(stageCopy(args, ctx).local);
}

export function oneShotAllReduceCopyOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const { local } = stageCopy(args, ctx);
  const out = tensor(args, "out");
  checkCopyOut(op, out, local);
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
