import type { HeapRegion } from "../../core/reducer.ts";
import { hostReducer } from "../../core/host-reducer.ts";
import { typedView } from "../../core/dtype.ts";
import { sliceOf } from "../../core/slices.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { peerRegion } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { HostCall } from "./host-call.ts";

/** Slices of at most this many elements go through hostReducer.reduceSmall (its comment says why). */
export const SMALL_SLICE = 64;

interface SymmetricPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly count: number;
  /** Every group rank's copy of my slice, as regions and (small slices) as typed views. */
  readonly regions: readonly HeapRegion[];
  readonly views: readonly (Float32Array | Int32Array | Uint16Array)[];
}

/** Per symmetric tensor (view) object: its handle and slice views, made on its first call. */
const plans = new WeakMap<SymmetricTensor, SymmetricPlan>();

async function planOf(call: HostCall, input: SymmetricTensor): Promise<SymmetricPlan> {
  const cached = plans.get(input);
  if (cached !== undefined && !input.isFreed) return cached;
  const handle = await call.ctx.rank.symm.rendezvous(input);
  const { first, count } = sliceOf(input.numel, handle.worldSize, handle.rank);
  const regions = Array.from({ length: handle.worldSize }, (_, p) => peerRegion(handle, p, input, { elementOffset: first, count }));
  const views = regions.map((r) => typedView(input.dtype, r.slab, r.byteOffset, count) as Float32Array | Int32Array | Uint16Array);
  const plan = { handle, count, regions, views };
  plans.set(input, plan);
  return plan;
}

/**
 * A symmetric tensor of the op's group needs no staging: after one barrier each rank reduces its
 * slice of everybody's copy and writes it into everybody's copy in the same pass (reduce-scatter
 * and all-gather fused, one read of each source, the result copied out of cache), then a second
 * barrier, so nobody returns (and reads or rewrites its copy) while a peer still writes into it.
 */
export async function inPlaceSymmetric(call: HostCall, input: SymmetricTensor): Promise<void> {
  const { handle, count, regions, views } = await planOf(call, input);
  await handle.barrier();
  if (count > SMALL_SLICE) {
    hostReducer.reduceToHeapsSync({ sources: regions, count, dtype: call.dtype, op: call.reduceOp }, regions);
  } else {
    hostReducer.reduceSmall(call.dtype, call.reduceOp, count, views, views);
  }
  await handle.barrier();
}
