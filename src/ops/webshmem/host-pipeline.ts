/**
 * The chunked pipeline of webshmem::host_all_reduce_ for a tensor that is not in host memory (a
 * GpuTensor, or any backend's tensor through its endpoint). Chunks go through the group workspace
 * (header + I in-slots + O out-slots of C bytes per rank), with per-chunk progress counters
 * (heap/sync/progress.ts) instead of whole-tensor barriers:
 *
 *   read back chunk k into my in-slot ─► publish READY ─► (all READY k) reduce slice r of chunk k
 *   from every rank's in-slot into my out-slot ─► publish REDUCED ─► (REDUCED k of rank p) upload
 *   slice p of chunk k from rank p's out-slot into my tensor ─► after all p, publish UPLOADED
 *
 * The three stages are concurrent loops on one thread: while chunk k is reduced, the readbacks
 * of the next chunks are in flight and chunk k-1's slices are being uploaded. Every rank writes
 * only its own slab; every element of the result is reduced once (by the slice's owner) and
 * copied, so all ranks get the same bits, equal to referenceReduce (rank order, f32 rounding
 * every step). Slot reuse waits on the counters too: chunk k's in-slot is reused for chunk k+I
 * once every rank has REDUCED k; its out-slot, for chunk k+O, once every rank has UPLOADED k.
 */
import type { TensorEndpoint } from "../../backends/endpoint.ts";
import { itemsize } from "../../core/dtype.ts";
import { hostReducer } from "../../core/host-reducer.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import { alignedSliceOf } from "../../core/slices.ts";
import { ChunkProgress, PROGRESS_HEADER_BYTES, READY, REDUCED, UPLOADED } from "../../heap/sync/progress.ts";
import { checkShapes, controlOf, HOST_WORKSPACE, type HostCall, publishShape, tunedShape } from "./host-call.ts";
import { HOST_TRACE_EVENT, type HostAllReduceTrace, newTrace } from "./host-trace.ts";
import { heapBlockBytes } from "../../heap/allocator.ts";

/** Slices of a chunk are multiples of this many elements, so every slice starts on a 4-byte word. */
const SLICE_ALIGN = 64;

/** The chunked pipeline through the group workspace (layout at the top of this file). */
export async function pipelined(call: HostCall, endpoint: TensorEndpoint): Promise<void> {
  const { ctx, group, op } = call;
  const S = endpoint.nbytes;
  if (S === 0) return;
  const size = itemsize(call.dtype);
  const t = call.tuning;
  const chunk = Math.min(t.chunkBytes, heapBlockBytes(S));
  const chunks = Math.ceil(S / chunk);
  const inSlots = Math.min(t.inSlots, chunks);
  const outSlots = Math.min(t.outSlots, chunks);
  const IN = PROGRESS_HEADER_BYTES;
  const OUT = IN + inSlots * chunk;
  const ws = await ctx.workspace(HOST_WORKSPACE, OUT + outSlots * chunk);
  const h = await ctx.rank.symm.rendezvous(ws);
  const N = group.size;
  const me = group.rank;
  const views = Array.from({ length: N }, (_, p) => h.getBuffer(p, [ws.numel], "uint8") as Uint8Array<SharedArrayBuffer>);
  const headers = views.map((v) => new Int32Array(v.buffer, v.byteOffset, PROGRESS_HEADER_BYTES / 4));
  const progress = new ChunkProgress({ op, group, headers, control: controlOf(group), timeoutMs: ctx.rank.symm.timeoutMs });

  const shape = tunedShape(call, S);
  publishShape(headers[me], shape);
  const t0 = performance.now();
  const trace: HostAllReduceTrace | undefined = ctx.listening ? newTrace(t0) : undefined;
  const mark = (list: number[] | undefined, k: number) => {
    if (list !== undefined) list[k] = performance.now() - t0;
  };
  progress.wakeDelays = trace?.wakeDelays;
  progress.snapshot();
  await h.barrier();
  progress.readBases();
  checkShapes(call, headers, shape);
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
      const { first, count } = alignedSliceOf(chunkBytes(k) / size, N, me, SLICE_ALIGN);
      if (count > 0) {
        const sources = Array.from({ length: N }, (_, p) => region(p, inAt(k) + first * size));
        const r0 = performance.now();
        hostReducer.reduceToHeapsSync({ sources, count, dtype: call.dtype, op: call.reduceOp }, [region(me, outAt(k) + first * size)]);
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
        const { first, count } = alignedSliceOf(n, N, p, SLICE_ALIGN);
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
    ctx.emit(HOST_TRACE_EVENT, trace);
  }
}
