/**
 * fused_matmul_reduce_scatter: `reduce_scatter(A @ B, reduce_op, scatter_dim)`. Each rank computes
 * its A @ B into the group workspace, in its natural layout, where every part (the rows, or the
 * columns, that one rank owns) is a region peers read directly; for large products in two stages
 * (PyTorch's `_pipelined_produce_and_all2all` order: the peers' parts first, its own last), so the
 * readback of the peers' parts overlaps the matmul of its own; small ones in one job
 * (fused-tuning.ts: each job's upload, dispatch and readback cost more than a stage wins there).
 * After a barrier (every rank's product is in its heap), each rank reduces its part of the n
 * products in rank order with the backend's Reducer, straight from the peers' slabs (float32
 * accumulation for the 16-bit floats, rounded once, as PyTorch's `reduce_partials`), into a new
 * tensor of its backend; a last barrier keeps the products until every rank has read them.
 *
 * Workspace (this op's own, in the group): this rank's A @ B, [rows of flattened A, B's columns].
 * PyTorch registers no symm-mem argument for this op: A and B may be any tensors of the call's
 * backend (or contiguous symmetric ones). */
import type { OpContext } from "../../backends/context.ts";
import { matmulerOf, type MatmulJob, type MatrixRef, type RegularTensor, type Tensor } from "../../backends/backend.ts";
import { matrixOf } from "../../backends/matmul.ts";
import { itemsize } from "../../core/dtype.ts";
import type { CollectiveDType } from "../../core/reduce-op.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";
import { peerRegion, type RegionOptions } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { opGroup } from "./checks.ts";
import { contiguousArg, disposingOnFailure, rowsOf, runAll, settleAll } from "./fused-jobs.ts";
import { scatterMatmulPlan, type ScatterMatmulPlan } from "./fused-shapes.ts";
import { twoStages } from "./fused-tuning.ts";

/** The kernel: returns this rank's part of the reduction of every rank's A @ B. */
export async function fusedMatmulReduceScatter(args: BoundArgs, ctx: OpContext): Promise<RegularTensor> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const A = contiguousArg(ctx, "A", args.A as Tensor);
  const B = args.B as Tensor;
  const plan = scatterMatmulPlan(op, A, B, args.reduce_op, args.scatter_dim, group.size);
  const mm = matmulerOf(ctx.backend, ctx.rank, op);
  const reducer = ctx.backend.reducer(ctx.rank);
  const Bm = matrixOf(B, `${op}: B`);

  const staged = twoStages(op, plan.rows * plan.k * plan.n, ctx.settings);
  const n = group.size;
  const size = itemsize(plan.dtype);
  const ws = await ctx.workspace("scatter", heapBlockBytes(plan.rows * plan.n * size));
  const h = await ctx.rank.symm.rendezvous(ws);
  const me = h.rank;
  // This rank's A @ B, whole, in its natural row-major layout: rank q's part is a (strided) region of it.
  const C = ws.view(0, [plan.rows * plan.n], plan.dtype);
  // A product over an empty contraction is zeros, which no matmul job writes (the workspace is reused).
  if (plan.k === 0) ws.bytes.fill(0);

  // The peers' parts first, then this rank's own right behind them (large products): the device
  // computes the own part while the peers' parts are read back into the heap (on webgpu the map
  // of a readback waits only for the work submitted before it).
  const stages = stageJobs(plan, me, A, Bm, C, staged);
  const done = stages.map((jobs) => runAll(mm, jobs));
  await settleAll(done);
  await h.barrier(); // every rank's A @ B is in its heap

  let output: RegularTensor;
  if (plan.chunkElements === 0) {
    output = ctx.backend.createTensor(ctx.rank, plan.outShape, plan.dtype);
  } else {
    const sources = Array.from({ length: n }, (_, p) => peerRegion(h, p, C, partOf(plan, me)));
    const job = { sources, count: plan.chunkElements, dtype: plan.dtype as CollectiveDType, op: plan.reduceOp };
    output = await reducer.reduceToTensor(job, plan.outShape);
  }
  // Peers may still be reading my A @ B; nobody overwrites it before all are done.
  return disposingOnFailure(ctx, [output], async () => {
    await h.barrier();
    return output;
  });
}

/** Where rank `q`'s part lies in a rank's A @ B ([rows, n], row-major): peerRegion's options. */
function partOf(plan: ScatterMatmulPlan, q: number): RegionOptions {
  const { n, chunkElements: count } = plan;
  if (plan.lastDim) {
    const cols = n / plan.groupSize;
    return { elementOffset: q * cols, count, rows: { rowLength: cols, rowStride: n } };
  }
  const { blocks, rows } = plan.runs;
  const elementOffset = q * rows * n;
  return blocks === 1 ? { elementOffset, count } : { elementOffset, count, rows: { rowLength: rows * n, rowStride: plan.runStride * n } };
}

/**
 * The matmul jobs of A @ B into C, in two stages when the parts are row ranges of it (scatter_dim
 * 0, one run per part) and the product is large enough (fused-tuning.ts): the peers' rows (before
 * and after this rank's), then this rank's own. One job of all of it otherwise: every job is an
 * upload, a dispatch and a readback, each a fixed cost on webgpu that per-part jobs (PyTorch's
 * one chunk per rank) would not win back (BENCHMARKS.md, T8).
 */
function stageJobs(plan: ScatterMatmulPlan, me: number, A: Tensor, Bm: MatrixRef, C: SymmetricTensor, two: boolean): MatmulJob[][] {
  const { k, n } = plan;
  const job = (row: number, rows: number): MatmulJob => ({ a: rowsOf(A, row, rows, k, k), b: Bm, out: rowsOf(C, row, rows, n, n) });
  const single = !two || plan.lastDim || plan.runs.blocks !== 1 || plan.groupSize === 1;
  if (single) return [[job(0, plan.rows)]];
  const r = plan.runs.rows;
  const peers = [job(0, me * r), job((me + 1) * r, plan.rows - (me + 1) * r)].filter((j) => j.a.rows > 0);
  return [peers, [job(me * r, r)]];
}
