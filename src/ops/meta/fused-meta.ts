/**
 * Meta kernels of the fused async-TP ops: the kernels' own checks (src/ops/symm_mem/fused-shapes.ts,
 * PyTorch's rules and order), then the shapes PyTorch's Meta fallbacks return
 * (torch/distributed/_symmetric_memory/__init__.py: `_fused_all_gather_matmul_fallback`,
 * `_fused_matmul_reduce_scatter_fallback`).
 */
import { tensorMeta, type MetaContext, type TensorMeta } from "../../library/meta.ts";
import { gatherMatmulPlan, scatterMatmulPlan } from "../symm_mem/fused-shapes.ts";
import { groupSizeOf, opName, tensor, type Args } from "../shape-checks.ts";

/** fused_all_gather_matmul: [the gathered A, or null when return_A is false, [A @ B for each B]]. */
export function fusedAllGatherMatmul(args: Args, ctx: MetaContext): [TensorMeta | null, TensorMeta[]] {
  const A = tensor(args, "A");
  const plan = gatherMatmulPlan(opName(ctx), A, args.Bs as TensorMeta[], args.gather_dim, groupSizeOf(args, ctx));
  const gathered = args.return_A === false ? null : tensorMeta(plan.gatheredShape, plan.dtype);
  return [gathered, plan.outShapes.map((shape) => tensorMeta(shape, plan.dtype))];
}

/** fused_matmul_reduce_scatter: this rank's part of A @ B, the scattered dim divided by the group size. */
export function fusedMatmulReduceScatter(args: Args, ctx: MetaContext): TensorMeta {
  const plan = scatterMatmulPlan(
    opName(ctx), tensor(args, "A"), tensor(args, "B"), args.reduce_op, args.scatter_dim, groupSizeOf(args, ctx),
  );
  return tensorMeta(plan.outShape, plan.dtype);
}
