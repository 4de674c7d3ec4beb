/**
 * The small-message path of webshmem::host_all_reduce_ for a tensor that is not in host memory
 * (a GpuTensor): one synchronisation round after the readback instead of the pipeline's three.
 *
 *   start the readback into a private buffer ─► barrier (while the readback is in flight) ─►
 *   copy it into my in-region ─► barrier ─► reduce every rank's in-region, whole, in rank order,
 *   into my out-region ─► write it to the tensor
 *
 * Every rank reduces the whole tensor itself (in the same rank order, so every rank gets the same
 * bits, equal to referenceReduce): for small tensors the arithmetic is nothing next to a round of
 * wake-ups, which is what the pipeline's REDUCED round costs (BENCHMARKS.md, issue 14).
 *
 * Why it is safe to reuse the regions: a peer reads my in-region only between the two barriers of
 * a call and until it returns; I write it only after the first barrier of the next call, which no
 * peer passes before it has returned from this one. My out-region is mine alone here; a peer of an
 * earlier pipelined call may still read it (its uploads) until it enters this call's first barrier,
 * and I write it only after that barrier. The readback lands in a private buffer for that reason:
 * it runs while peers may still read my regions.
 */
import type { TensorEndpoint } from "../../backends/endpoint.ts";
import { itemsize, typedView } from "../../core/dtype.ts";
import { hostReducer } from "../../core/host-reducer.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { PROGRESS_HEADER_BYTES } from "../../heap/sync/progress.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkShapes, HOST_WORKSPACE, type HostCall, publishShape, tunedShape } from "./host-call.ts";
import { SMALL_SLICE } from "./host-symmetric.ts";

type View = Float32Array | Int32Array | Uint16Array;

interface OneRoundPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly headers: readonly Int32Array[];
  readonly count: number;
  readonly sources: readonly HeapRegion[];
  readonly dst: HeapRegion;
  readonly sourceViews: readonly View[];
  readonly dstView: View;
  readonly mine: Uint8Array;
  readonly out: Uint8Array;
  /** Private: the readback lands here while peers may still read my regions. */
  readonly scratch: Uint8Array;
}

/** Per workspace allocation, per (bytes, dtype): the views of a call, made once. */
const plans = new WeakMap<SymmetricTensor, Map<string, OneRoundPlan>>();

async function planOf(
  call: HostCall, ws: SymmetricTensor<"uint8">, S: number, padding: number, IN: number, OUT: number,
): Promise<OneRoundPlan> {
  let byKey = plans.get(ws);
  if (byKey === undefined) plans.set(ws, (byKey = new Map()));
  const key = `${S}/${call.dtype}`;
  const cached = byKey.get(key);
  if (cached !== undefined) return cached;
  const { group } = call;
  const handle = await call.ctx.rank.symm.rendezvous(ws);
  const views = Array.from({ length: group.size }, (_, p) => handle.getBuffer(p, [ws.numel], "uint8"));
  const count = S / itemsize(call.dtype);
  const at = (v: Uint8Array, base: number): HeapRegion => ({ slab: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset + base });
  const sources = views.map((v) => at(v, IN));
  const me = views[group.rank];
  const dst = at(me, OUT);
  const typed = (r: HeapRegion) => typedView(call.dtype, r.slab, r.byteOffset, count) as View;
  const plan: OneRoundPlan = {
    handle, count, sources, dst, sourceViews: sources.map(typed), dstView: typed(dst),
    headers: views.map((v) => new Int32Array(v.buffer, v.byteOffset, PROGRESS_HEADER_BYTES / 4)),
    mine: me.subarray(IN, IN + S), out: me.subarray(OUT, OUT + S), scratch: new Uint8Array(S + padding),
  };
  byKey.set(key, plan);
  return plan;
}

/** The one-round path (layout and safety at the top of this file). */
export async function oneRound(call: HostCall, endpoint: TensorEndpoint): Promise<void> {
  const S = endpoint.nbytes;
  if (S === 0) return;
  const region = heapBlockBytes(S);
  const IN = PROGRESS_HEADER_BYTES;
  const OUT = IN + region;
  const ws = await call.ctx.workspace(HOST_WORKSPACE, OUT + region);
  const plan = await planOf(call, ws, S, endpoint.stagePadding, IN, OUT);
  const staged = endpoint.stage(0, S, plan.scratch);
  // Handled here: if the barrier throws first, nobody awaits it, and an unhandled rejection
  // would end a Deno worker.
  staged.catch(() => {});
  // The same words as the pipeline's: ranks that agree on them take the same path.
  const shape = tunedShape(call, S);
  publishShape(plan.headers[call.group.rank], shape);
  await plan.handle.barrier();
  checkShapes(call, plan.headers, shape);
  await staged;
  plan.mine.set(plan.scratch.subarray(0, S));
  await plan.handle.barrier();
  if (plan.count > SMALL_SLICE) {
    hostReducer.reduceToHeapsSync({ sources: plan.sources, count: plan.count, dtype: call.dtype, op: call.reduceOp }, [plan.dst]);
  } else {
    hostReducer.reduceSmall(call.dtype, call.reduceOp, plan.count, plan.sourceViews, [plan.dstView]);
  }
  endpoint.write(0, plan.out);
  endpoint.flush(0, S);
}
