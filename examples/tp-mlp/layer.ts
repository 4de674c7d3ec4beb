/**
 * One tensor-parallel MLP step, `y = gelu(x W1) W2`, on one rank, Megatron style: W1 is split by
 * columns ([hidden, ffn / world] here), W2 by rows ([ffn / world, hidden]), x by rows
 * ([tokens / world, hidden]). The two ways this example writes it:
 *
 * - `mlpStep` (eager and planned: the same function, its caller being rank.ops or a plan's):
 *   all-gather x (symm_mem::multimem_all_gather_out), x W1 (webshmem::mm), gelu (tp_mlp::gelu),
 *   · W2 (webshmem::mm: this rank's partial sums of every token), reduce-scatter back to this
 *   rank's rows (symm_mem::reduce_scatter_out). Reduce-scatter, not all-reduce: the output stays
 *   sharded by rows like the input (the sequence-parallel layout), so a layer's output is the next
 *   layer's input, and each rank reduces 1/world of the partials instead of all of them. The out
 *   buffers come from tp_mlp::empty (ops.ts), so a plan homes them in the heap directly.
 * - `fusedStep`: symm_mem::fused_all_gather_matmul for layer 1 (the gathered x itself not
 *   returned) and symm_mem::fused_matmul_reduce_scatter for layer 2, gelu between.
 */
import type { PlanCaller, Tensor } from "../../src/index.ts";
import "./ops.ts";

/** The eager / planned step: every op through `c` (rank.ops eagerly, the plan's caller when planned). */
export async function mlpStep(c: PlanCaller, world: number, x: Tensor, w1: Tensor, w2: Tensor): Promise<Tensor> {
  const [rows, hidden] = x.shape;
  const gathered = await c.ops.tp_mlp.empty([rows * world, hidden]);
  const xAll = await c.ops.symm_mem.multimem_all_gather_out(x, "world", gathered) as Tensor;
  const h = await c.ops.webshmem.mm(xAll, w1) as Tensor;
  const a = await c.ops.tp_mlp.gelu(h) as Tensor;
  const partial = await c.ops.webshmem.mm(a, w2) as Tensor;
  const y = await c.ops.tp_mlp.empty([rows, hidden]);
  return await c.ops.symm_mem.reduce_scatter_out(partial, "world", false, y) as Tensor;
}

/** The fused step: all-gather fused with layer 1, layer 2 fused with the reduce-scatter. */
export async function fusedStep(c: PlanCaller, x: Tensor, w1: Tensor, w2: Tensor): Promise<Tensor> {
  const [, hs] = await c.ops.symm_mem.fused_all_gather_matmul(x, [w1], 0, "world", { return_A: false }) as [null, Tensor[]];
  const a = await c.ops.tp_mlp.gelu(hs[0]) as Tensor;
  return await c.ops.symm_mem.fused_matmul_reduce_scatter(a, w2, "sum", 0, "world") as Tensor;
}
