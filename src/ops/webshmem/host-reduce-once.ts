/**
 * The reduce-once form of webshmem::host_all_reduce_'s one-round path, for large groups: the
 * naive postMessage loop's shape (every rank hands its bytes to one reducer, which answers every
 * rank) without a main thread, and with the reducer already awake.
 *
 *   read back into my in-region ─► publish my shape, arrive (one atomic add on a group word)
 *     ├─ the last rank to arrive: check every rank's shape, reduce every in-region once, in rank
 *     │  order, into the group's out-region; raise the done word, waking every waiter at once
 *     └─ every other rank: sleep once, on the done word
 *   ─► write the out-region to the tensor
 *
 * A reducer that fails (a peer disagrees on the call, a bug) still raises the done word, after
 * marking the call failed, so every other rank fails too (its own AgreementError where a peer
 * disagrees, else a PeerLostError naming the reducer) instead of waiting until its timeout.
 *
 * Against the one-round path's barrier (every rank signals every peer, then waits for each, and
 * every rank reduces the whole tensor itself), a call costs each rank one arrival and at most one
 * wake-up, and the group one reduction instead of one per rank. Both matter when ranks outnumber
 * cores: then every wake-up and every redundant reduction queues for the same cores
 * (BENCHMARKS.md, issue 14, 2026-12-08). The result has the same bits as the one-round path's
 * (the same reduction in the same rank order).
 *
 * Its own workspace, per rank [header 0 | header 1 | in-region | out-region] (in- and out-region
 * half of what follows the headers each, at offsets that do not depend on the call's size); the
 * group's arrival counter, done word and out-region are group rank 0's. Call k uses header
 * k mod 2. Why this is safe with one in-region and one out-region: a rank writes its in-region of
 * call k + 1 only after the done word of call k, which the reducer raises after reading every
 * in-region; the reducer of call k + 1 writes the out-region only once every rank has arrived at
 * call k + 1, which each does after copying the out-region of call k. A rank reads its peers'
 * headers of call k after that call's done word and before it arrives at call k + 1; a peer
 * writes that parity again at call k + 2, after the done word of call k + 1, which needs this
 * rank's arrival. The counters are kept per workspace allocation: at its first call rank 0 zeroes
 * them, then one barrier.
 */
import type { TensorEndpoint } from "../../backends/endpoint.ts";
import { PeerLostError, TimeoutError } from "../../core/errors.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { waitUntil } from "../../heap/sync/wait.ts";
import { checkShapes, controlOf, type HostCall, publishShape, tunedShape } from "./host-call.ts";
import {
  cachedPlan, headerOf, inRegionAt, oneRoundWorkspaceBytes, reduceWhole, type RoundState, roundState, type View,
} from "./host-one-round.ts";

/** The workspace of this path: apart from the one-round path's and the pipeline's. */
export const REDUCE_ONCE_WORKSPACE = "host_all_reduce_reduce_once";

/** Words of group rank 0's header 0 (the shape words start at 16, host-call.ts). */
const ARRIVED = 0; // arrivals since the allocation: group size × calls when every rank is there
const DONE = 1; // the number of the last call whose reducer has finished (its result is in the out-region unless it failed)
const FAILED_CALL = 2; // the number of the last call whose reducer failed
const FAILED_RANK = 3; // ...and that reducer's group rank

interface ReduceOncePlan {
  readonly handle: SymmetricMemoryHandle;
  readonly count: number;
  /** By parity: every rank's header. */
  readonly headers: readonly (readonly Int32Array[])[];
  /** Group rank 0's header 0: the arrival counter and the done word. */
  readonly words: Int32Array;
  readonly sources: readonly HeapRegion[];
  readonly sourceViews: readonly View[];
  /** My in-region, with the readback's padding. */
  readonly mine: Uint8Array;
  /** Group rank 0's out-region: the result. */
  readonly dst: HeapRegion;
  readonly dstView: View;
  readonly out: Uint8Array;
}

const states = new WeakMap<SymmetricTensor, RoundState<ReduceOncePlan>>();

function planOf(call: HostCall, ws: SymmetricTensor<"uint8">, st: RoundState<ReduceOncePlan>, S: number, padding: number): Promise<ReduceOncePlan> {
  return cachedPlan(call, ws, st, S, padding, ({ handle, views, count, typed }): ReduceOncePlan => {
    const region = (v: Uint8Array, at: number): HeapRegion => ({ slab: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset + at });
    const sources = views.map((v) => region(v, inRegionAt(ws, 0)));
    const dst = region(views[0], inRegionAt(ws, 1));
    const headers = [0, 1].map((q) => views.map((v) => headerOf(v, q)));
    const me = views[call.group.rank];
    return {
      handle, count, headers, words: headers[0][0], sources, sourceViews: sources.map(typed), dst, dstView: typed(dst),
      mine: me.subarray(inRegionAt(ws, 0), inRegionAt(ws, 0) + S + padding),
      out: views[0].subarray(inRegionAt(ws, 1), inRegionAt(ws, 1) + S),
    };
  });
}

/** The reduce-once path (layout and safety at the top of this file). */
export async function reduceOnce(call: HostCall, endpoint: TensorEndpoint): Promise<void> {
  const S = endpoint.nbytes;
  if (S === 0) return;
  const { group } = call;
  const ws = await call.ctx.workspace(REDUCE_ONCE_WORKSPACE, oneRoundWorkspaceBytes(S, endpoint.stagePadding));
  const { st, fresh } = roundState(states, ws);
  const plan = await planOf(call, ws, st, S, endpoint.stagePadding);
  if (fresh) {
    // A new allocation holds whatever the heap held there: rank 0 zeroes the counters, then one
    // barrier, before any rank touches them (the workspace's rendezvous came before the zeroing,
    // and a rendezvous of a tensor already rendezvoused does not synchronise).
    if (group.rank === 0) plan.words.fill(0, ARRIVED, FAILED_RANK + 1);
    await plan.handle.barrier();
  }
  const agreement = group.agreement;
  // From here to the done word the call counts in the group's counters: a failure in between
  // (a readback that fails before this rank arrives) leaves them behind, so the group needs
  // recovery (which drops the workspace), as after a failure inside a barrier.
  agreement.enterSync();
  const k = st.calls++;
  const q = k & 1;
  const shape = tunedShape(call, S);
  publishShape(plan.headers[q][group.rank], shape);
  await endpoint.stage(0, S, plan.mine);
  const done = (k + 1) | 0;
  const { words } = plan;
  // Everything this rank published is visible to whoever sees its arrival (Atomics are sequentially consistent).
  const last = ((Atomics.add(words, ARRIVED, 1) + 1) | 0) === Math.imul(done, group.size);
  if (last) {
    let failure: unknown;
    try {
      // Every rank is here: each is at this call (its board is this call's), checked strictly.
      for (let p = 0; p < group.size; p++) if (p !== group.rank) agreement.consumed(p);
      checkShapes(call, plan.headers[q], shape);
      reduceWhole(call, plan.count, plan.sources, plan.sourceViews, plan.dst, plan.dstView);
    } catch (err) {
      failure = err;
      Atomics.store(words, FAILED_RANK, group.rank);
      Atomics.store(words, FAILED_CALL, done);
    }
    // Raised after a failure too, so that no rank waits for a result that will not come.
    Atomics.store(words, DONE, done);
    Atomics.notify(words, DONE);
    agreement.leaveSync();
    if (failure !== undefined) throw failure;
  } else {
    await waitDone(call, words, done);
    agreement.leaveSync();
    // Every rank has arrived: a peer that disagrees on the call is named here, as it is to the reducer.
    agreement.check();
    if (Atomics.load(words, FAILED_CALL) === done) throw reducerFailed(call, Atomics.load(words, FAILED_RANK));
    checkShapes(call, plan.headers[q], shape);
  }
  endpoint.write(0, plan.out);
  endpoint.flush(0, S);
}

/** The reducer of this call failed (its own error says why): this rank has no result. */
function reducerFailed(call: HostCall, reducer: number): PeerLostError {
  const { op, group } = call;
  const me = group.worldRankOf(group.rank);
  const lost = group.worldRankOf(reducer);
  return new PeerLostError(
    `rank ${me}: ${op} on group "${group.name}" has no result: rank ${lost}, which reduced for the group in this call, ` +
      `failed in the same call (its error says why)`,
    me, lost,
  );
}

/** Waits for the done word of this call; a peer that fails or disagrees meanwhile ends it (agreement.check). */
function waitDone(call: HostCall, words: Int32Array, done: number): Promise<void> {
  const { op, group } = call;
  const me = group.worldRankOf(group.rank);
  const timeoutMs = call.ctx.rank.symm.timeoutMs;
  const arrived = () => Atomics.load(words, ARRIVED) - Math.imul(done - 1, group.size);
  return waitUntil({
    attempt: () => Atomics.load(words, DONE) === done,
    i32: words, index: DONE, sleepValue: () => (done - 1) | 0,
    control: controlOf(group), timeoutMs, rank: me,
    // Any peer can be the one this call waits for: each must not have failed in it.
    check: () => group.agreement.check(),
    describe: () => `${op} abandoned while waiting for every rank of group "${group.name}" to arrive`,
    timeout: () => new TimeoutError(
      `rank ${me}: ${op} timed out after ${timeoutMs} ms waiting for every rank of group "${group.name}" ` +
        `to arrive (${arrived()} of ${group.size} have)`,
      me, -1, -1, timeoutMs,
    ),
  });
}
