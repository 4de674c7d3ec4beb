/**
 * fused_matmul_reduce_scatter: `reduce_scatter(A @ B, reduce_op, scatter_dim)`, with each rank
 * computing the part of A @ B that every other rank owns into the group workspace and signalling
 * its owner as soon as that part is there, so the exchange of one part overlaps the matmuls of the
 * next: the same idea as PyTorch's `_pipelined_produce_and_all2all` (the peers' parts first, in
 * the order rank+1, rank+2, ..., the own part last), with a slot per peer instead of two shared
 * buffers, so nobody waits for a peer between parts. The owner waits for every peer's signal and
 * reduces the n parts in rank order with the backend's Reducer (float32 accumulation for the
 * 16-bit floats, rounded once, as PyTorch's `reduce_partials`) into a new tensor of its backend.
 *
 * Workspace (this op's own, in the group): n slots of one part each, slot q holding this rank's
 * part for rank q (this rank's own part too, so the reduction reads n alike regions).
 * PyTorch registers no symm-mem argument for this op: A and B may be any tensors of the call's
 * backend (or contiguous symmetric ones).
 */
import type { OpContext } from "../../backends/context.ts";
import { matmulerOf, type MatmulJob, type MatrixRef, type RegularTensor, type Tensor } from "../../backends/backend.ts";
import { matrixOf } from "../../backends/matmul.ts";
import { itemsize } from "../../core/dtype.ts";
import type { CollectiveDType } from "../../core/reduce-op.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";
import { peerRegion } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { opGroup } from "./checks.ts";
import { contiguousArg, disposingOnFailure, rowsOf, runAll, runsOf, settleAll } from "./fused-jobs.ts";
import { scatterMatmulPlan, type ScatterMatmulPlan } from "./fused-shapes.ts";

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

  const n = group.size;
  const slot = heapBlockBytes(plan.chunkElements * itemsize(plan.dtype));
  const ws = await ctx.workspace("scatter", slot * n);
  const h = await ctx.rank.symm.rendezvous(ws);
  const part = (q: number) => ws.view(q * slot, [plan.chunkElements], plan.dtype);
  const me = h.rank;
  // A product over an empty contraction is zeros, which no matmul job writes (the slots are reused).
  if (plan.k === 0) ws.bytes.fill(0);

  // Every part is started at once; each is signalled to its owner as it completes, in order.
  const order = Array.from({ length: n }, (_, step) => (me + 1 + step) % n);
  const done = order.map((q) => runAll(mm, partJobs(plan, q, A, Bm, part(q))));
  try {
    for (const [i, q] of order.entries()) {
      await done[i];
      if (q !== me) await h.putSignal(q);
    }
  } finally {
    await settleAll(done).catch(() => {}); // nothing still writes a slot when this unwinds
  }
  for (let p = 0; p < n; p++) if (p !== me) await h.waitSignal(p);

  let output: RegularTensor;
  if (plan.chunkElements === 0) {
    output = ctx.backend.createTensor(ctx.rank, plan.outShape, plan.dtype);
  } else {
    const sources = Array.from({ length: n }, (_, p) => peerRegion(h, p, part(me)));
    const job = { sources, count: plan.chunkElements, dtype: plan.dtype as CollectiveDType, op: plan.reduceOp };
    output = await reducer.reduceToTensor(job, plan.outShape);
  }
  // Peers may still be reading my slots; nobody overwrites them before all are done.
  return disposingOnFailure(ctx, [output], async () => {
    await h.barrier();
    return output;
  });
}

/** The jobs computing rank `q`'s part of this rank's A @ B into `out` (contiguous, `outShape`). */
function partJobs(plan: ScatterMatmulPlan, q: number, A: Tensor, Bm: MatrixRef, out: SymmetricTensor): MatmulJob[] {
  const { k, n } = plan;
  if (plan.lastDim) {
    const cols = n / plan.groupSize;
    const b: MatrixRef = { ...Bm, offset: (Bm.offset ?? 0) + q * cols, cols };
    return [{ a: rowsOf(A, 0, plan.rows, k, k), b, out: rowsOf(out, 0, plan.rows, cols, cols) }];
  }
  const { blocks, rows } = plan.runs;
  return runsOf(blocks, rows, (i) => [i * plan.runStride + q * rows, i * rows]).map((run) => ({
    a: rowsOf(A, run.at[0], run.rows, k, k, run.steps[0]),
    b: Bm,
    out: rowsOf(out, run.at[1], run.rows, n, n, run.steps[1]),
  }));
}
