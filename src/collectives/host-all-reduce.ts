/**
 * `webshmem::host_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)`:
 * an in-place all-reduce whose arithmetic runs on the host (WebAssembly SIMD over the heap),
 * for tensors that live anywhere: a GpuTensor, a CpuTensor or a symmetric tensor.
 *
 * `input` is NOT a registered symm-mem argument: realizing it would read the whole tensor back
 * before the kernel and upload it after, with nothing overlapped. Instead the kernel pipelines
 * chunks through a grow-only workspace of the group (header + I in-slots + O out-slots of C bytes
 * per rank), with per-chunk progress counters instead of whole-tensor barriers (host-progress.ts):
 *
 *   read back chunk k into my in-slot ─► publish READY ─► (all READY k) reduce slice r of chunk k
 *   from every rank's in-slot into my out-slot ─► publish REDUCED ─► (REDUCED k of rank p) upload
 *   slice p of chunk k from rank p's out-slot into my tensor ─► after all p, publish UPLOADED
 *
 * The three stages are concurrent loops on one thread: while chunk k is reduced, the mapAsync of
 * the next chunks is in flight and chunk k-1's slices are being uploaded. Every rank writes only
 * its own slab; every element of the result is reduced once (by the slice's owner) and copied, so
 * all ranks get the same bits, equal to referenceReduce (rank order, f32 rounding every step).
 * Slot reuse waits on the counters too: chunk k's in-slot is reused for chunk k+I once every rank
 * has REDUCED k; its out-slot, for chunk k+O, once every rank has UPLOADED k.
 *
 * A symmetric tensor of the op's group needs no staging at all: after one barrier each rank
 * reduces its slice of everybody's copy and writes it into everybody's copy in the same pass
 * (reduce-scatter and all-gather fused, one read of each source, the result copied out of cache),
 * then a second barrier.
 */
import type { Tensor } from "../backends/backend.ts";
import { CpuTensor } from "../backends/cpu/cpu-tensor.ts";
import { cpuReducer } from "../backends/cpu/cpu-reducer.ts";
import { GpuTensor } from "../backends/webgpu/gpu-tensor.ts";
import type { OpContext } from "../dispatch/dispatcher.ts";
import { Workspace } from "../dispatch/workspace.ts";
import { OpError } from "../errors.ts";
import { dtypeCode, itemsize, typedView } from "../heap/dtype.ts";
import type { SymmetricMemoryHandle } from "../heap/handle.ts";
import type { Group } from "../heap/group.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../library/bind.ts";
import type { Rank } from "../rank/rank.ts";
import { sliceOf } from "./all-reduce.ts";
import { describeTensor, opGroup } from "./checks.ts";
import { GpuEndpoint, HostEndpoint, type TensorEndpoint } from "./host-endpoints.ts";
import { ChunkProgress, PROGRESS_HEADER_BYTES, READY, REDUCED, UPLOADED } from "./host-progress.ts";
import { combiner, finisher, narrow, widen } from "./reduce-math.ts";
import { checkReduction, type CollectiveDType, type ReduceOp } from "./reduce-op.ts";
import type { HeapRegion } from "./reducer.ts";
import { peerRegion } from "./regions.ts";

const MiB = 1 << 20;

/**
 * The pipeline's shape. Every rank of a group must use the same values (they set the workspace
 * layout and the chunk numbering). Measured with test/perf/host-bench.ts: see DEFAULT_HOST_TUNING.
 */
export interface HostAllReduceTuning {
  /** Bytes per chunk (a multiple of 256). */
  readonly chunkBytes: number;
  /**
   * In-slots per rank: chunks read back (or being read back) and not yet reduced by every rank.
   * Every free in-slot has a readback in flight: on Deno each mapAsync resolves only at the
   * device's next poll (~10 ms), so reads must be issued many at a time, not one per chunk.
   */
  readonly inSlots: number;
  /** Out-slots per rank: reduced slices not yet uploaded by every rank. */
  readonly outSlots: number;
}

/**
 * Chosen on Deno 2.9 / lavapipe, 4 ranks, float32, the 2-core machine, by
 * `npx deno run -A --no-check test/perf/host-bench.ts --sizes 16,64 --chunks 1:16:16,2:16:16,4:16:16,8:8:8 --rounds 5`
 * (time / staging floor of the same run, median of 5 rounds; machine nearly idle):
 *
 *   chunk, in/out slots    16 MiB (floor 21.7 ms)   64 MiB (floor 41.7 ms)
 *   1 MiB, 16/16           1.18                     2.05
 *   2 MiB, 16/16           1.23                     1.58
 *   4 MiB, 16/16           1.21                     1.37
 *   8 MiB,  8/8            1.23                     1.37
 *   4 MiB,  4/4            1.11 (loaded machine)    1.65 (loaded machine)
 *
 * Few slots serialise on Deno's ~10 ms mapAsync polls (all reads must be in flight at once);
 * small chunks pay per-chunk costs at 64 MiB. The workspace is 256 B + 2 × min(16, chunks) × 4 MiB
 * per rank: 128 MiB for tensors of 64 MiB or more.
 */
export const DEFAULT_HOST_TUNING: HostAllReduceTuning = { chunkBytes: 4 * MiB, inSlots: 16, outSlots: 16 };

let tuning: HostAllReduceTuning = DEFAULT_HOST_TUNING;

/** Sets this realm's tuning (call it the same way in every rank, before the op); returns the old one. */
export function setHostAllReduceTuning(next: Partial<HostAllReduceTuning>): HostAllReduceTuning {
  const old = tuning;
  const t = { ...tuning, ...next };
  if (!Number.isInteger(t.chunkBytes) || t.chunkBytes < 256 || t.chunkBytes % 256 !== 0) {
    throw new RangeError(`host all-reduce: chunkBytes must be a positive multiple of 256, found ${t.chunkBytes}`);
  }
  for (const k of ["inSlots", "outSlots"] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 1) throw new RangeError(`host all-reduce: ${k} must be a positive integer, found ${t[k]}`);
  }
  tuning = t;
  return old;
}

export function hostAllReduceTuning(): HostAllReduceTuning {
  return tuning;
}

/**
 * Where the time of the last pipelined call went, on this rank (ms from its start), when tracing
 * is on: for a benchmark's breakdown. Chunk k's readback landed at staged[k], this rank's slice
 * of it was reduced at reduced[k], every slice of it was uploaded at uploaded[k].
 */
export interface HostAllReduceTrace {
  /** performance.timeOrigin + performance.now() at the call's start: aligns ranks' traces. */
  origin: number;
  /** The workspace was ready and the start barrier passed. */
  started: number;
  staged: number[];
  reduced: number[];
  uploaded: number[];
  /** How late each wait that had to sleep woke up after the peer published (ms), sorted. */
  wakeDelays: number[];
  /** Milliseconds spent in the reduction itself, and in the uploads' writes (writeBuffer calls). */
  reduceMs: number;
  writeMs: number;
  end: number;
}

let tracing = false;
let lastTrace: HostAllReduceTrace | undefined;

/** Turns per-chunk timing on or off for this realm; `hostAllReduceLastTrace()` reads it. */
export function setHostAllReduceTracing(on: boolean): void {
  tracing = on;
  if (!on) lastTrace = undefined;
}

export function hostAllReduceLastTrace(): HostAllReduceTrace | undefined {
  return lastTrace;
}

/** Slices of a chunk are multiples of this many elements, so every slice starts on a 4-byte word. */
const SLICE_ALIGN = 64;

/** Slice `p` of a chunk of `n` elements split `world` ways. */
function chunkSlice(n: number, world: number, p: number): { first: number; count: number } {
  const per = Math.ceil(n / world / SLICE_ALIGN) * SLICE_ALIGN;
  const first = Math.min(n, p * per);
  return { first, count: Math.min(n, first + per) - first };
}

// Header words after the progress counters: what each rank passed, checked against its peers.
const SHAPE_WORDS = 16; // [nbytes, dtype code, chunkBytes, inSlots, outSlots]

const workspaces = new WeakMap<Rank, Map<Group, Workspace>>();
/** Heap allocations made for host all-reduce workspaces, per rank (one per growth). */
const workspaceStats = new WeakMap<Rank, { workspaceAllocations: number }>();

function workspaceOf(rank: Rank, group: Group): Workspace {
  let byGroup = workspaces.get(rank);
  if (byGroup === undefined) workspaces.set(rank, (byGroup = new Map()));
  let ws = byGroup.get(group);
  if (ws === undefined) {
    let stats = workspaceStats.get(rank);
    if (stats === undefined) workspaceStats.set(rank, (stats = { workspaceAllocations: 0 }));
    byGroup.set(group, (ws = new Workspace(rank.symm, group, stats)));
  }
  return ws;
}

/** How many times this rank grew a host all-reduce workspace (every growth is one heap allocation). */
export function hostWorkspaceAllocations(rank: Rank): number {
  return workspaceStats.get(rank)?.workspaceAllocations ?? 0;
}

/** The launch's signal timeout. */
function timeoutOf(rank: Rank): number {
  return rank.symm.timeoutMs;
}

/** The world's control words (abort word first): the buffer behind every signal pad view. */
function controlOf(group: Group): Int32Array {
  return new Int32Array(group.pads.view(0).buffer);
}

interface Call {
  readonly op: string;
  readonly rank: Rank;
  readonly group: Group;
  readonly dtype: CollectiveDType;
  readonly reduceOp: ReduceOp;
}

/** The kernel, for every backend: the tensor's kind picks the path. */
export async function hostAllReduce(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const input = args.input as Tensor;
  if (!group.isMember) {
    throw new OpError(`${op}: rank ${ctx.rank.rank} is not a member of group "${group.name}" (ranks ${group.ranks.join(", ")})`);
  }
  const { reduceOp, dtype } = checkReduction(op, args.reduce_op, input.dtype);
  const call: Call = { op, rank: ctx.rank, group, dtype, reduceOp };
  if (input instanceof SymmetricTensor && input.group === group) {
    await inPlaceSymmetric(call, input);
    return input;
  }
  let endpoint: TensorEndpoint;
  if (input instanceof GpuTensor) {
    if (ctx.rank.device === null) {
      throw new OpError(`${op}: argument "input" is a webgpu tensor, but rank ${ctx.rank.rank} has no GPUDevice`);
    }
    endpoint = new GpuEndpoint(ctx.rank.device, input);
  } else if (input instanceof CpuTensor || input instanceof SymmetricTensor) {
    const bytes = input.bytes;
    // Host memory: small tensors are staged whole between two barriers (less bookkeeping than
    // the pipeline's counters: 8 B, 2 ranks, Deno: 6.3 µs against 50 µs); larger ones go through
    // the pipeline, which needs no workspace of the tensor's size and keeps chunks in cache
    // between the copy in, the reduction and the copy out (2 MiB: 0.36–0.52 ms pipelined,
    // 0.47–0.52 ms staged whole; noisy).
    if (bytes.length <= HOST_STAGED_MAX_BYTES) {
      await stagedWhole(call, bytes);
      return input;
    }
    endpoint = new HostEndpoint(bytes);
  } else {
    throw new OpError(`${op}: argument "input" expected a webgpu, cpu or symmetric tensor, found ${describeTensor(input)}`);
  }
  await pipelined(call, endpoint);
  return input;
}

/**
 * Slices of at most this many elements are reduced with the oracle's own arithmetic
 * (reduce-math.ts) over views made once per tensor: for a few elements the call's fixed costs
 * (views, job checks) are what matters. Measured on Deno, 2 ranks, cpu backend: an 8-byte
 * host_all_reduce_ on a heap tensor took 6.7 µs through the reducer, 3.3 µs this way (a no-op
 * op costs 2.5–2.8 µs to dispatch, the two barriers 0.8–0.9 µs).
 */
const SMALL_SLICE = 64;

/** Host tensors up to this size are staged whole (stagedWhole), larger ones pipelined. */
const HOST_STAGED_MAX_BYTES = 256 * 1024;

interface SymmetricPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly first: number;
  readonly count: number;
  /** Every group rank's copy of my slice, as regions and (small slices) as typed views. */
  readonly regions: readonly HeapRegion[];
  readonly views: readonly (Float32Array | Int32Array | Uint16Array)[];
}

/** Per symmetric tensor (view) object: its handle and slice views, made on its first call. */
const plans = new WeakMap<SymmetricTensor, SymmetricPlan>();

async function planOf(call: Call, input: SymmetricTensor): Promise<SymmetricPlan> {
  const cached = plans.get(input);
  if (cached !== undefined && !input.isFreed) return cached;
  const handle = await call.rank.symm.rendezvous(input);
  const { first, count } = sliceOf(input.numel, handle.worldSize, handle.rank);
  const regions = Array.from({ length: handle.worldSize }, (_, p) => peerRegion(handle, p, input, { elementOffset: first, count }));
  const views = regions.map((r) => typedView(input.dtype, r.slab, r.byteOffset, count) as Float32Array | Int32Array | Uint16Array);
  const plan = { handle, first, count, regions, views };
  plans.set(input, plan);
  return plan;
}

/** A symmetric tensor of the op's group: reduce my slice of every copy, write it into every copy. */
async function inPlaceSymmetric(call: Call, input: SymmetricTensor): Promise<void> {
  const { handle, count, regions, views } = await planOf(call, input);
  await handle.barrier();
  if (count > SMALL_SLICE) {
    cpuReducer.reduceToHeapsSync({ sources: regions, count, dtype: call.dtype, op: call.reduceOp }, regions);
  } else {
    reduceSmall(call, count, views, views);
  }
  // Nobody returns (and reads or rewrites its copy) while a peer still writes a slice into it.
  await handle.barrier();
}

interface StagedPlan {
  readonly handle: SymmetricMemoryHandle;
  readonly headers: readonly Int32Array[];
  readonly mine: Uint8Array;
  readonly count: number;
  readonly sources: readonly HeapRegion[];
  readonly dsts: readonly HeapRegion[];
  readonly sourceViews: readonly (Float32Array | Int32Array | Uint16Array)[];
  readonly dstViews: readonly (Float32Array | Int32Array | Uint16Array)[];
  readonly out: Uint8Array;
}

/** Per workspace allocation, per (bytes, dtype): the views of a staged call, made once. */
const stagedPlans = new WeakMap<SymmetricTensor, Map<string, StagedPlan>>();

/**
 * A host tensor (a CpuTensor, or a heap tensor of another group), staged whole: copy it into my
 * in-region, barrier, reduce my slice of every rank's in-region into every rank's out-region,
 * barrier, copy my out-region back. The first barrier of the next call keeps a rank from
 * rewriting its in-region while a peer still reads it; the second, from reading its out-region
 * before every peer has written its slice there.
 */
async function stagedWhole(call: Call, bytes: Uint8Array): Promise<void> {
  const S = bytes.length;
  if (S === 0) return;
  const { rank, group } = call;
  const region = Math.ceil(S / 256) * 256;
  const IN = PROGRESS_HEADER_BYTES;
  const OUT = IN + region;
  const ws = await workspaceOf(rank, group).ensure(OUT + region);
  let byKey = stagedPlans.get(ws);
  if (byKey === undefined) stagedPlans.set(ws, (byKey = new Map()));
  const key = `${S}/${call.dtype}`;
  let plan = byKey.get(key);
  if (plan === undefined) {
    const handle = await rank.symm.rendezvous(ws);
    const views = Array.from({ length: group.size }, (_, p) => handle.getBuffer(p, [ws.numel], "uint8"));
    const size = itemsize(call.dtype);
    const { first, count } = sliceOf(S / size, group.size, group.rank);
    const at = (v: Uint8Array, base: number): HeapRegion => ({ slab: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset + base + first * size });
    const sources = views.map((v) => at(v, IN));
    const dsts = views.map((v) => at(v, OUT));
    const typed = (r: HeapRegion) => typedView(call.dtype, r.slab, r.byteOffset, count) as Float32Array | Int32Array | Uint16Array;
    const me = views[group.rank];
    plan = {
      handle, count, sources, dsts, sourceViews: sources.map(typed), dstViews: dsts.map(typed),
      headers: views.map((v) => new Int32Array(v.buffer, v.byteOffset, PROGRESS_HEADER_BYTES / 4)),
      mine: me.subarray(IN, IN + S), out: me.subarray(OUT, OUT + S),
    };
    byKey.set(key, plan);
  }
  plan.mine.set(bytes);
  const shape = [S, dtypeCode(call.dtype), 0, 0, 0];
  shape.forEach((v, i) => Atomics.store(plan.headers[group.rank], SHAPE_WORDS + i, v));
  await plan.handle.barrier();
  checkAgreement(call, plan.headers, shape);
  if (plan.count > SMALL_SLICE) {
    cpuReducer.reduceToHeapsSync({ sources: plan.sources, count: plan.count, dtype: call.dtype, op: call.reduceOp }, plan.dsts);
  } else {
    reduceSmall(call, plan.count, plan.sourceViews, plan.dstViews);
  }
  await plan.handle.barrier();
  bytes.set(plan.out);
}

/** A few elements, with the oracle's own arithmetic (reduce-math.ts), into every destination. */
function reduceSmall(
  call: Call, count: number, sources: readonly ArrayLike<number>[], dsts: readonly (Float32Array | Int32Array | Uint16Array)[],
): void {
  const { dtype, reduceOp } = call;
  const combine = combiner(dtype, reduceOp);
  const finish = finisher(reduceOp, sources.length);
  for (let i = 0; i < count; i++) {
    let acc = widen(dtype, sources[0][i]);
    for (let p = 1; p < sources.length; p++) acc = combine(acc, widen(dtype, sources[p][i]));
    const out = narrow(dtype, finish(acc));
    for (const d of dsts) d[i] = out;
  }
}

/** The chunked pipeline through the group workspace (layout at the top of this file). */
async function pipelined(call: Call, endpoint: TensorEndpoint): Promise<void> {
  const { rank, group, op } = call;
  const S = endpoint.nbytes;
  if (S === 0) return;
  const size = itemsize(call.dtype);
  const t = tuning;
  const chunk = Math.min(t.chunkBytes, Math.ceil(S / 256) * 256);
  const chunks = Math.ceil(S / chunk);
  const inSlots = Math.min(t.inSlots, chunks);
  const outSlots = Math.min(t.outSlots, chunks);
  const IN = PROGRESS_HEADER_BYTES;
  const OUT = IN + inSlots * chunk;
  const ws = await workspaceOf(rank, group).ensure(OUT + outSlots * chunk);
  const h = await rank.symm.rendezvous(ws);
  const N = group.size;
  const me = group.rank;
  const views = Array.from({ length: N }, (_, p) => h.getBuffer(p, [ws.numel], "uint8") as Uint8Array<SharedArrayBuffer>);
  const headers = views.map((v) => new Int32Array(v.buffer, v.byteOffset, PROGRESS_HEADER_BYTES / 4));
  const progress = new ChunkProgress({ op, group, headers, control: controlOf(group), timeoutMs: timeoutOf(rank) });

  const shape = [S, dtypeCode(call.dtype), t.chunkBytes, t.inSlots, t.outSlots];
  shape.forEach((v, i) => Atomics.store(headers[me], SHAPE_WORDS + i, v));
  const t0 = performance.now();
  const trace: HostAllReduceTrace | undefined = tracing
    ? { origin: performance.timeOrigin + t0, started: 0, staged: [], reduced: [], uploaded: [], wakeDelays: [], reduceMs: 0, writeMs: 0, end: 0 }
    : undefined;
  const mark = (list: number[] | undefined, k: number) => {
    if (list !== undefined) list[k] = performance.now() - t0;
  };
  progress.wakeDelays = trace?.wakeDelays;
  progress.snapshot();
  await h.barrier();
  progress.readBases();
  checkAgreement(call, headers, shape);
  if (trace !== undefined) trace.started = performance.now() - t0;

  const chunkBytes = (k: number) => Math.min(chunk, S - k * chunk);
  const inAt = (k: number) => IN + (k % inSlots) * chunk;
  const outAt = (k: number) => OUT + (k % outSlots) * chunk;
  const region = (p: number, at: number): HeapRegion => ({ slab: views[p].buffer, byteOffset: views[p].byteOffset + at });

  const readLoop = async () => {
    const pending: Promise<void>[] = [];
    for (let k = 0; k < chunks; k++) {
      // Every in-slot has a readback in flight, at most; they complete (and publish) in order.
      if (pending.length >= inSlots) await pending.shift();
      // The slot's previous chunk must have been reduced by every rank (they read my in-slot).
      // It was published: pending holds only the inSlots - 1 chunks before this one.
      if (k >= inSlots) await progress.waitAll(REDUCED, k - inSlots + 1, k - inSlots);
      const len = chunkBytes(k);
      const at = inAt(k);
      const staged = endpoint.stage(k * chunk, len, views[me].subarray(at, at + len + endpoint.stagePadding));
      // Published in chunk order: each waits for the one before it.
      const before = pending.at(-1) ?? Promise.resolve();
      const published = Promise.all([staged, before]).then(() => {
        progress.publish(READY, k + 1);
        mark(trace?.staged, k);
      });
      // Marked handled: if a wait below throws first, nobody awaits the rest, and an unhandled
      // rejection would end a Deno worker. The loop still awaits each one it reaches.
      published.catch(() => {});
      pending.push(published);
    }
    await Promise.all(pending);
  };

  const reduceLoop = async () => {
    for (let k = 0; k < chunks; k++) {
      await progress.waitAll(READY, k + 1, k);
      // My out-slot's previous chunk must have been uploaded by every rank (they read my slice).
      if (k >= outSlots) await progress.waitAll(UPLOADED, k - outSlots + 1, k - outSlots);
      const { first, count } = chunkSlice(chunkBytes(k) / size, N, me);
      if (count > 0) {
        const sources = Array.from({ length: N }, (_, p) => region(p, inAt(k) + first * size));
        const r0 = performance.now();
        cpuReducer.reduceToHeapsSync({ sources, count, dtype: call.dtype, op: call.reduceOp }, [region(me, outAt(k) + first * size)]);
        if (trace !== undefined) trace.reduceMs += performance.now() - r0;
      }
      progress.publish(REDUCED, k + 1);
      mark(trace?.reduced, k);
    }
  };

  const uploadLoop = async () => {
    for (let k = 0; k < chunks; k++) {
      const n = chunkBytes(k) / size;
      for (let i = 0; i < N; i++) {
        const p = (me + i) % N; // my own slice first: it is ready soonest
        const { first, count } = chunkSlice(n, N, p);
        await progress.waitFor(p, REDUCED, k + 1, k);
        if (count === 0) continue;
        const at = outAt(k) + first * size;
        const w0 = trace === undefined ? 0 : performance.now();
        endpoint.write(k * chunk + first * size, views[p].subarray(at, at + count * size));
        if (trace !== undefined) trace.writeMs += performance.now() - w0;
      }
      const w0 = trace === undefined ? 0 : performance.now();
      endpoint.flush(k * chunk, chunkBytes(k));
      if (trace !== undefined) trace.writeMs += performance.now() - w0;
      progress.publish(UPLOADED, k + 1);
      mark(trace?.uploaded, k);
    }
  };

  const guard = (loop: () => Promise<void>) => loop().catch((err: unknown) => {
    progress.fail(err);
    throw err;
  });
  const results = await Promise.allSettled([guard(readLoop), guard(reduceLoop), guard(uploadLoop)]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  if (trace !== undefined) {
    trace.end = performance.now() - t0;
    trace.wakeDelays.sort((a, b) => a - b);
    lastTrace = trace;
  }
}

/** Every rank must pass the same number of bytes and dtype, and run the same tuning. */
function checkAgreement(call: Call, headers: readonly Int32Array[], mine: readonly number[]): void {
  const names = ["bytes", "dtype code", "chunkBytes", "inSlots", "outSlots"];
  for (let p = 0; p < headers.length; p++) {
    for (let i = 0; i < mine.length; i++) {
      const theirs = Atomics.load(headers[p], SHAPE_WORDS + i);
      if (theirs !== mine[i]) {
        throw new OpError(
          `${call.op}: ranks disagree on the call: rank ${call.group.worldRankOf(call.group.rank)} has ${names[i]} ` +
            `${mine[i]}, rank ${call.group.worldRankOf(p)} has ${theirs} (group "${call.group.name}"; every rank must ` +
            `pass a tensor of the same dtype and size, and use the same host all-reduce tuning)`,
        );
      }
    }
  }
}
