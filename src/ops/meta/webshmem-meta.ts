/**
 * Meta kernels of the built-in `webshmem` ops, keyed by op name without namespace (the keys of
 * WEBSHMEM_OPS in src/ops/webshmem/definitions.ts), which registers them with each op.
 */
import type { MetaContext, MetaKernel, TensorMeta } from "../../library/meta.ts";
import { checkReduction, groupSizeOf, opName, tensor, type Args } from "../shape-checks.ts";

/** host_all_reduce_: in place, so it returns `input`; the kernel checks the reduce op and dtype. */
function hostAllReduce(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return input;
}

/** Op name (without `webshmem::`) → meta kernel; one entry per op of WEBSHMEM_OPS. */
export const WEBSHMEM_METAS: Readonly<Record<string, MetaKernel>> = Object.freeze({
  host_all_reduce_: hostAllReduce,
});
