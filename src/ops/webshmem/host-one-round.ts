/**
 * The small-message path of webshmem::host_all_reduce_ for a tensor that is not in host memory
 * (a GpuTensor): one readback and one synchronisation, against the pipeline's three rounds.
 *
 *   read back into my in-region of this call's parity ─► barrier ─► reduce every rank's
 *   in-region, whole, in rank order, into a private buffer ─► write it to the tensor
 *
 * Every rank reduces the whole tensor itself (in the same rank order, so every rank gets the same
 * bits, equal to referenceReduce): for small tensors the arithmetic is nothing next to a round of
 * wake-ups, which is what the pipeline's REDUCED round costs (BENCHMARKS.md, issue 14).
 *
 * Its own workspace, [header 0 | header 1 | in-region 0 | in-region 1] per rank (each in-region
 * half of what follows the headers, at offsets that do not depend on the call's size), and call k
 * uses header and in-region k mod 2. Why one barrier is enough: peers read my in-region (and header)
 * of call k only after the barrier of call k and before they return from it. I write that parity
 * again in call k + 2, which I enter only after the barrier of call k + 1, which no peer reaches
 * before it has returned from call k. So the readback can land in the heap before the barrier,
 * while peers still reduce the previous call from the other parity. The counter of calls is kept
 * per workspace allocation: the workspace grows (a new allocation, the counter from 0) at the same
 * call on every rank, and its rendezvous is a synchronisation of its own.
 */
import type { TensorEndpoint } from "../../backends/endpoint.ts";
import { itemsize, typedView } from "../../core/dtype.ts";
import { hostReducer } from "../../core/host-reducer.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import { HEAP_ALIGNMENT, heapBlockBytes } from "../../heap/allocator.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { PROGRESS_HEADER_BYTES } from "../../heap/sync/progress.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkShapes, type HostCall, publishShape, tunedShape } from "./host-call.ts";
import { SMALL_SLICE } from "./host-symmetric.ts";

export type View = Float32Array | Int32Array | Uint16Array;

/** The workspace of this path: apart from the pipeline's, so the two never share a region. */
export const ONE_ROUND_WORKSPACE = "host_all_reduce_one_round";

interface OneRoundPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly count: number;
  /** By parity: every rank's header, every rank's in-region, their typed views, my in-region with its padding. */
  readonly headers: readonly (readonly Int32Array[])[];
  readonly sources: readonly (readonly HeapRegion[])[];
  readonly sourceViews: readonly (readonly View[])[];
  readonly mine: readonly Uint8Array[];
  /** Private: the result, written to the tensor. */
  readonly dst: HeapRegion;
  readonly dstView: View;
  readonly out: Uint8Array;
}

/** Per workspace allocation of a one-round form: its calls so far, and per (bytes, padding, dtype) a plan made once. */
export interface RoundState<P> {
  calls: number;
  readonly plans: Map<string, P>;
}

/** The state of `ws` in `states`, and whether it is new (the allocation's first call). */
export function roundState<P>(states: WeakMap<SymmetricTensor, RoundState<P>>, ws: SymmetricTensor): { st: RoundState<P>; fresh: boolean } {
  const known = states.get(ws);
  if (known !== undefined) return { st: known, fresh: false };
  const st: RoundState<P> = { calls: 0, plans: new Map() };
  states.set(ws, st);
  return { st, fresh: true };
}

/** What a plan is made of: every rank's view of the workspace (after its rendezvous) and the call's element count. */
export interface PlanInputs {
  readonly handle: SymmetricMemoryHandle;
  readonly views: readonly Uint8Array[];
  readonly count: number;
  readonly typed: (r: HeapRegion) => View;
}

/** The plan of a call of S bytes (padding, dtype) from `st`, made by `make` the first time. */
export async function cachedPlan<P>(
  call: HostCall, ws: SymmetricTensor<"uint8">, st: RoundState<P>, S: number, padding: number, make: (inputs: PlanInputs) => P,
): Promise<P> {
  const key = `${S}/${padding}/${call.dtype}`;
  const cached = st.plans.get(key);
  if (cached !== undefined) return cached;
  const handle = await call.ctx.rank.symm.rendezvous(ws);
  const views = Array.from({ length: call.group.size }, (_, p) => handle.getBuffer(p, [ws.numel], "uint8"));
  const count = S / itemsize(call.dtype);
  const plan = make({ handle, views, count, typed: (r) => typedView(call.dtype, r.slab, r.byteOffset, count) as View });
  st.plans.set(key, plan);
  return plan;
}

const states = new WeakMap<SymmetricTensor, RoundState<OneRoundPlan>>();

/** Header `parity` of a rank's copy of a one-round workspace (either form). */
export function headerOf(v: Uint8Array, parity: number): Int32Array {
  return new Int32Array(v.buffer, v.byteOffset + parity * PROGRESS_HEADER_BYTES, PROGRESS_HEADER_BYTES / 4);
}

/** Every rank's in-region, whole, in rank order, into `dst` (both forms; the same bits either way). */
export function reduceWhole(
  call: HostCall, count: number, sources: readonly HeapRegion[], sourceViews: readonly View[], dst: HeapRegion, dstView: View,
): void {
  if (count > SMALL_SLICE) {
    hostReducer.reduceToHeapsSync({ sources, count, dtype: call.dtype, op: call.reduceOp }, [dst]);
  } else {
    hostReducer.reduceSmall(call.dtype, call.reduceOp, count, sourceViews, [dstView]);
  }
}

/** Bytes of one in-region: the tensor and the readback's padding, block-aligned. */
function stride(S: number, padding: number): number {
  return heapBlockBytes(S + padding);
}

/** Bytes of this path's workspace (and the reduce-once path's) for a tensor of S bytes. */
export function oneRoundWorkspaceBytes(S: number, padding: number): number {
  return 2 * PROGRESS_HEADER_BYTES + 2 * stride(S, padding);
}

/**
 * Where in-region `parity` starts: half of the allocation each, whatever this call's size. A
 * layout by the call's own size let a fast rank's readback of a larger call k + 1 (parity 0)
 * reach into the parity-1 region a slower peer still reduced for call k: wrong bytes on that peer
 * (caught by the host scenarios, 2026-12-04). The allocation holds oneRoundWorkspaceBytes of every size it
 * served, so each half holds any of their in-regions. The reduce-once path (host-reduce-once.ts)
 * lays out its own workspace by the same two functions.
 */
export function inRegionAt(ws: SymmetricTensor, parity: number): number {
  const half = Math.floor((ws.numel - 2 * PROGRESS_HEADER_BYTES) / 2 / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;
  return 2 * PROGRESS_HEADER_BYTES + parity * half;
}

function planOf(call: HostCall, ws: SymmetricTensor<"uint8">, st: RoundState<OneRoundPlan>, S: number, padding: number): Promise<OneRoundPlan> {
  return cachedPlan(call, ws, st, S, padding, ({ handle, views, count, typed }): OneRoundPlan => {
    const inAt = (parity: number) => inRegionAt(ws, parity);
    const parities = [0, 1];
    const sources = parities.map((q) => views.map((v): HeapRegion => ({ slab: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset + inAt(q) })));
    const private_ = new SharedArrayBuffer(heapBlockBytes(S));
    const dst: HeapRegion = { slab: private_, byteOffset: 0 };
    const me = views[call.group.rank];
    return {
      handle, count, sources, dst, dstView: typed(dst),
      headers: parities.map((q) => views.map((v) => headerOf(v, q))),
      sourceViews: sources.map((rs) => rs.map(typed)),
      mine: parities.map((q) => me.subarray(inAt(q), inAt(q) + S + padding)),
      out: new Uint8Array(private_, 0, S),
    };
  });
}

/** The one-round path (layout and safety at the top of this file). */
export async function oneRound(call: HostCall, endpoint: TensorEndpoint): Promise<void> {
  const S = endpoint.nbytes;
  if (S === 0) return;
  const padding = endpoint.stagePadding;
  const ws = await call.ctx.workspace(ONE_ROUND_WORKSPACE, oneRoundWorkspaceBytes(S, padding));
  const { st } = roundState(states, ws);
  const plan = await planOf(call, ws, st, S, padding);
  const q = st.calls++ & 1;
  // The same words as the pipeline's: ranks that agree on them take the same path.
  const shape = tunedShape(call, S);
  publishShape(plan.headers[q][call.group.rank], shape);
  await endpoint.stage(0, S, plan.mine[q]);
  await plan.handle.barrier();
  checkShapes(call, plan.headers[q], shape);
  reduceWhole(call, plan.count, plan.sources[q], plan.sourceViews[q], plan.dst, plan.dstView);
  endpoint.write(0, plan.out);
  endpoint.flush(0, S);
}
