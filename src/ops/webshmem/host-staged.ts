import { dtypeCode, itemsize, typedView } from "../../core/dtype.ts";
import { hostReducer } from "../../core/host-reducer.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import { sliceOf } from "../../core/slices.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { PROGRESS_HEADER_BYTES } from "../../heap/sync/progress.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkShapes, type HostCall, publishShape } from "./host-call.ts";
import { SMALL_SLICE } from "./host-symmetric.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";

/**
 * Host tensors up to this size are staged whole, larger ones pipelined: less bookkeeping than
 * the pipeline's counters (8 B, 2 ranks, Deno: 6.3 µs against 50 µs); the pipeline needs no
 * workspace of the tensor's size and keeps chunks in cache between the copy in, the reduction and
 * the copy out (2 MiB: 0.36–0.52 ms pipelined, 0.47–0.52 ms staged whole; noisy).
 */
export const HOST_STAGED_MAX_BYTES = 256 * 1024;

/**
 * The workspace of this path: apart from the pipeline's. This path copies its input into its
 * in-region before its first barrier, and a pipelined call before it ends on each rank without a
 * barrier, while a slower peer may still copy the last chunk's slice out of this rank's out-slot:
 * sharing one workspace, the copy overwrote it (test/perf/host-all-reduce.test.ts, "slower peer").
 */
export const HOST_STAGED_WORKSPACE = "host_all_reduce_staged";

type View = Float32Array | Int32Array | Uint16Array;

interface StagedPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly headers: readonly Int32Array[];
  readonly count: number;
  readonly sources: readonly HeapRegion[];
  readonly dsts: readonly HeapRegion[];
  readonly sourceViews: readonly View[];
  readonly dstViews: readonly View[];
  readonly mine: Uint8Array;
  readonly out: Uint8Array;
}

/** Per workspace allocation, per (bytes, dtype): the views of a staged call, made once. */
const stagedPlans = new WeakMap<SymmetricTensor, Map<string, StagedPlan>>();

async function planOf(call: HostCall, ws: SymmetricTensor<"uint8">, S: number, IN: number, OUT: number): Promise<StagedPlan> {
  let byKey = stagedPlans.get(ws);
  if (byKey === undefined) stagedPlans.set(ws, (byKey = new Map()));
  const key = `${S}/${call.dtype}`;
  const cached = byKey.get(key);
  if (cached !== undefined) return cached;
  const { group } = call;
  const handle = await call.ctx.rank.symm.rendezvous(ws);
  const views = Array.from({ length: group.size }, (_, p) => handle.getBuffer(p, [ws.numel], "uint8"));
  const size = itemsize(call.dtype);
  const { first, count } = sliceOf(S / size, group.size, group.rank);
  const at = (v: Uint8Array, base: number): HeapRegion => ({ slab: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset + base + first * size });
  const sources = views.map((v) => at(v, IN));
  const dsts = views.map((v) => at(v, OUT));
  const typed = (r: HeapRegion) => typedView(call.dtype, r.slab, r.byteOffset, count) as View;
  const me = views[group.rank];
  const plan: StagedPlan = {
    handle, count, sources, dsts, sourceViews: sources.map(typed), dstViews: dsts.map(typed),
    headers: views.map((v) => new Int32Array(v.buffer, v.byteOffset, PROGRESS_HEADER_BYTES / 4)),
    mine: me.subarray(IN, IN + S), out: me.subarray(OUT, OUT + S),
  };
  byKey.set(key, plan);
  return plan;
}

/**
 * A host tensor (a CpuTensor, or a heap tensor of another group), staged whole: copy it into my
 * in-region, barrier, reduce my slice of every rank's in-region into every rank's out-region,
 * barrier, copy my out-region back. The second barrier keeps a rank from reading its out-region
 * before every peer has written its slice there, and makes the next call's copy into the
 * in-region (before that call's barrier) safe: every peer read it before this call's second barrier.
 */
export async function stagedWhole(call: HostCall, bytes: Uint8Array): Promise<void> {
  const S = bytes.length;
  if (S === 0) return;
  const region = heapBlockBytes(S);
  const IN = PROGRESS_HEADER_BYTES;
  const OUT = IN + region;
  const ws = await call.ctx.workspace(HOST_STAGED_WORKSPACE, OUT + region);
  const plan = await planOf(call, ws, S, IN, OUT);
  plan.mine.set(bytes);
  const shape = [S, dtypeCode(call.dtype), 0, 0, 0];
  publishShape(plan.headers[call.group.rank], shape);
  await plan.handle.barrier();
  checkShapes(call, plan.headers, shape);
  if (plan.count > SMALL_SLICE) {
    hostReducer.reduceToHeapsSync({ sources: plan.sources, count: plan.count, dtype: call.dtype, op: call.reduceOp }, plan.dsts);
  } else {
    hostReducer.reduceSmall(call.dtype, call.reduceOp, plan.count, plan.sourceViews, plan.dstViews);
  }
  await plan.handle.barrier();
  bytes.set(plan.out);
}
