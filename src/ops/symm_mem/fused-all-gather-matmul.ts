/**
 * fused_all_gather_matmul: `A = all_gather(A_shard, gather_dim)`, then `A @ B` for every B, the
 * exchange overlapped with the matmul of the local shard, after PyTorch's
 * `_pipelined_all_gather_and_consume`: every rank starts the copy of its shard into its part of
 * the group workspace and, right behind it, the local shard's matmuls (they need nothing from a
 * peer); once its copy is there, a barrier, then every peer's shard is copied from that peer's
 * slab and multiplied in one job per run of consecutive rows. On webgpu the local matmuls run on
 * the device while the host waits for its readback and copies (the readback's map waits only for
 * the copy submitted before them); on cpu they run as they are issued. Small products run in one
 * stage, all shards after the exchange (fused-tuning.ts): PyTorch's one chunk per rank would
 * cost an upload and a dispatch per peer, which on webgpu cost more than they hide.
 *
 * Workspace (this op's own, in the group): [my shard | the gathered A], the second part only read
 * by this rank (it is the gathered A, in the gathered layout, which the matmuls read and the
 * first return is copied from). PyTorch registers no symm-mem argument for this op: A and the Bs
 * may be any tensors of the call's backend (or contiguous symmetric ones).
 *
 * gather_dim = A's last dim (PyTorch's `_fused_all_gather_matmul_last_gather_dim_impl`): the
 * shards are column blocks of A and B's rows are split among them; A is gathered whole first,
 * then one matmul per B contracts all of it (the same result as the decomposition, no overlap).
 */
import type { OpContext } from "../../backends/context.ts";
import { matmulerOf, type MatmulJob, type RegularTensor, type Tensor } from "../../backends/backend.ts";
import { matrixOf } from "../../backends/matmul.ts";
import { itemsize } from "../../core/dtype.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";
import { opGroup } from "./checks.ts";
import { contiguousArg, copyToHeap, disposingOnFailure, rowsOf, runAll, runsOf, settleAll, type Run } from "./fused-jobs.ts";
import { gatherMatmulPlan, type GatherMatmulPlan } from "./fused-shapes.ts";
import { twoStages } from "./fused-tuning.ts";

/** The kernel: returns [the gathered A, or null when return_A is false, [A @ B for each B]]. */
export async function fusedAllGatherMatmul(args: BoundArgs, ctx: OpContext): Promise<[RegularTensor | null, RegularTensor[]]> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const A = contiguousArg(ctx, "A", args.A as Tensor);
  const Bs = args.Bs as Tensor[];
  const plan = gatherMatmulPlan(op, A, Bs, args.gather_dim, group.size);
  const returnA = args.return_A !== false;
  const mm = matmulerOf(ctx.backend, ctx.rank, op);
  const macs = plan.shardRows * group.size * plan.k * plan.ns.reduce((s, x) => s + x, 0);
  const staged = twoStages(op, macs, ctx.settings) && !plan.lastDim;

  const n = group.size;
  const at = heapBlockBytes(A.nbytes);
  const ws = await ctx.workspace("gather", at + heapBlockBytes(A.nbytes * n));
  const h = await ctx.rank.symm.rendezvous(ws);
  const shard = ws.view(0, [A.numel], plan.dtype);
  const gathered = ws.view(at, [A.numel * n], plan.dtype);
  const outs = plan.outShapes.map((shape) => ctx.backend.createTensor(ctx.rank, shape, plan.dtype));
  const Bm = Bs.map((B, i) => matrixOf(B, `${op}: Bs[${i}]`));
  const made: RegularTensor[] = [...outs];
  return disposingOnFailure(ctx, made, async () => {
    // The copy of A into the heap is submitted first, then (two stages: gather_dim before the
    // last, a large enough product, fused-tuning.ts) the local shard's matmuls, which need
    // nothing from a peer: the device multiplies while the copy resolves and the peers publish
    // theirs (on webgpu the readback's map waits only for the copy submitted before it).
    const published = copyToHeap(ctx, A, shard);
    const jobs: Promise<void>[] = [];
    let gatheredA: RegularTensor | null = null;
    if (staged) jobs.push(runAll(mm, localJobs(plan, h.rank, A, Bm, outs)));
    try {
      await published;
      await h.barrier();
    } catch (e) {
      await settleAll(jobs).catch(() => {}); // nothing still writes an output when it is disposed
      throw e;
    }
    if (plan.lastDim) {
      for (let p = 0; p < n; p++) fetchColumns(h, shard, gathered, plan, p);
      const a = rowsOf(gathered, 0, plan.shardRows, plan.k * n, plan.k * n);
      await runAll(mm, Bm.map((b, i) => ({ a, b, out: rowsOf(outs[i], 0, plan.shardRows, plan.ns[i], plan.ns[i]) })));
    } else {
      // The second stage (or the only one): every peer's shard (and this rank's, in one stage),
      // copied from its slab while the local matmuls run, then multiplied in as few jobs as its
      // rows allow (runs of consecutive rows merged), read from the gathered A: the returned
      // tensor when return_A (moved to the device once, which returning it needs anyway), else
      // the heap (each job uploads its rows once). One upload and one dispatch per run, not per
      // peer (PyTorch's one chunk per rank): on webgpu each costs a fixed time the chunks would
      // not win back (BENCHMARKS.md, T8), and the host's copies are the fast part.
      for (let step = 1; step < n; step++) fetchRows(h, shard, gathered, plan, (h.rank + step) % n);
      let src: Tensor = gathered;
      if (returnA || !staged) fetchRows(h, shard, gathered, plan, h.rank);
      if (returnA) {
        gatheredA = ctx.backend.createTensor(ctx.rank, plan.gatheredShape, plan.dtype);
        made.push(gatheredA);
        if (gathered.nbytes > 0) await ctx.backend.fromHeap(ctx.rank, gathered, gatheredA);
        src = gatheredA;
      }
      jobs.push(runAll(mm, gatheredJobs(plan, staged ? h.rank : -1, src, Bm, outs)));
      await settleAll(jobs);
    }
    await h.barrier();

    if (returnA && gatheredA === null) {
      gatheredA = ctx.backend.createTensor(ctx.rank, plan.gatheredShape, plan.dtype);
      made.push(gatheredA);
      if (gathered.nbytes > 0) await ctx.backend.fromHeap(ctx.rank, gathered, gatheredA);
    }
    return [gatheredA, outs] as [RegularTensor | null, RegularTensor[]];
  });
}

/** The runs of shard `p`'s rows: in the shard (run b at b·R) and in the gathered A ((b·n + p)·R). */
function shardRuns(plan: GatherMatmulPlan, p: number): Run[] {
  const { blocks, rows } = plan.runs;
  const n = plan.groupSize;
  return runsOf(blocks, rows, (b) => [b * rows, (b * n + p) * rows]);
}

/**
 * The matmul jobs of every shard but `skip`'s (-1: of every shard), read from the gathered A
 * (`src`, in the gathered layout): the shards' runs in row order, consecutive back-to-back runs
 * merged into one.
 */
function gatheredJobs(
  plan: GatherMatmulPlan, skip: number, src: Tensor, Bm: readonly ReturnType<typeof matrixOf>[], outs: readonly RegularTensor[],
): MatmulJob[] {
  const runs: { at: number; rows: number; step: number }[] = [];
  for (let p = 0; p < plan.groupSize; p++) {
    if (p !== skip) for (const run of shardRuns(plan, p)) runs.push({ at: run.at[1], rows: run.rows, step: run.steps[1] });
  }
  runs.sort((x, y) => x.at - y.at);
  const merged: typeof runs = [];
  for (const run of runs) {
    const last = merged.at(-1);
    if (last !== undefined && last.step === 1 && run.step === 1 && last.at + last.rows === run.at) last.rows += run.rows;
    else merged.push({ ...run });
  }
  const jobs: MatmulJob[] = [];
  for (const run of merged) {
    const a = rowsOf(src, run.at, run.rows, plan.k, plan.k, run.step);
    Bm.forEach((b, i) => jobs.push({ a, b, out: rowsOf(outs[i], run.at, run.rows, plan.ns[i], plan.ns[i], run.step) }));
  }
  return jobs;
}

/** The matmul jobs of this rank's own shard `me`, read from A itself (the first chunk). */
function localJobs(
  plan: GatherMatmulPlan, me: number, A: Tensor, Bm: readonly ReturnType<typeof matrixOf>[], outs: readonly RegularTensor[],
): MatmulJob[] {
  const jobs: MatmulJob[] = [];
  for (const run of shardRuns(plan, me)) {
    const [inShard, inGathered] = run.at;
    const [shardStep, gatheredStep] = run.steps;
    const a = rowsOf(A, inShard, run.rows, plan.k, plan.k, shardStep);
    Bm.forEach((b, i) => jobs.push({ a, b, out: rowsOf(outs[i], inGathered, run.rows, plan.ns[i], plan.ns[i], gatheredStep) }));
  }
  return jobs;
}

/** Copies rank `p`'s shard from its slab into its rows of this rank's gathered A. */
function fetchRows(h: SymmetricMemoryHandle, shard: SymmetricTensor, gathered: SymmetricTensor, plan: GatherMatmulPlan, p: number): void {
  if (shard.nbytes === 0) return;
  const row = plan.k * itemsize(plan.dtype);
  const from = peerBytes(h, p, shard);
  const to = gathered.bytes;
  for (const run of shardRuns(plan, p)) {
    const [inShard, inGathered] = run.at;
    const [shardStep, gatheredStep] = run.steps;
    if (shardStep === 1 && gatheredStep === 1) {
      to.set(from.subarray(inShard * row, (inShard + run.rows) * row), inGathered * row);
      continue;
    }
    for (let r = 0; r < run.rows; r++) {
      const s = (inShard + r * shardStep) * row;
      to.set(from.subarray(s, s + row), (inGathered + r * gatheredStep) * row);
    }
  }
}

/** gather_dim = the last dim: rank `p`'s shard is columns [p·k, (p+1)·k) of every gathered row. */
function fetchColumns(h: SymmetricMemoryHandle, shard: SymmetricTensor, gathered: SymmetricTensor, plan: GatherMatmulPlan, p: number): void {
  if (shard.nbytes === 0) return;
  const size = itemsize(plan.dtype);
  const piece = plan.k * size;
  const wide = piece * plan.groupSize;
  const from = peerBytes(h, p, shard);
  const to = gathered.bytes;
  for (let r = 0; r < plan.shardRows; r++) to.set(from.subarray(r * piece, (r + 1) * piece), r * wide + p * piece);
}
