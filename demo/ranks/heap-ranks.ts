/**
 * The heap panel's rank functions (names start with "heap", so that demo-ranks.ts merges them
 * without a clash): a snapshot of the heap, a barrier and all-reduces, each either at full speed
 * through the library or in slow motion, written with the public handle API (rendezvous,
 * putSignal / waitSignal, getBuffer) with pauses between the stages (demo/heap/stages.ts).
 */
import type { HeapSnapshot, Rank, SymmetricMemoryHandle } from "../../src/index.ts";
import { HEAP_STAGES, heapInput, type HeapAlgo } from "../heap/stages.ts";

/** This rank's heap: capacity, free bytes, live allocations and where the groups' pads lie. */
export function heapSnapshot(rank: Rank): HeapSnapshot {
  return rank.symm.snapshot();
}

/** What the panel asks for. */
export interface HeapRunOptions {
  algo: HeapAlgo;
  /** Elements of the all-reduce (float32). */
  n: number;
  /** Slow motion: the demo's own implementation, with pauses; otherwise the library at full speed. */
  slow: boolean;
  /** Milliseconds of each pause (slow motion). */
  pauseMs: number;
  /** Int32 per rank: the stage it is in (HEAP_STAGES[algo] index), for the captions. */
  progress: SharedArrayBuffer;
}

/** What each rank returns. */
export interface HeapRunResult {
  /** The all-reduced values (empty for a barrier). */
  values: Float32Array;
  /** Slow motion: elements where the demo's result differs from rank.allReduce's (bitwise); -1 if not compared. */
  differFromLibrary: number;
  /** Milliseconds the run took in this rank. */
  ms: number;
  /** Slow motion: this rank's heap while the run's own buffer was live. */
  during?: HeapSnapshot;
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Runs `opts.algo` (a barrier, a one-shot or a two-shot all-reduce) in every rank. */
export async function heapRun(rank: Rank, opts: HeapRunOptions): Promise<HeapRunResult> {
  const t0 = performance.now();
  const progress = new Int32Array(opts.progress);
  const stages = HEAP_STAGES[opts.algo];
  const stage = (name: string) => Atomics.store(progress, rank.rank, stages.findIndex((s) => s.title === name));
  const input = Float32Array.from({ length: opts.n }, (_, i) => heapInput(rank.rank, i));
  let values: Float32Array<ArrayBufferLike> = new Float32Array(0);
  let differFromLibrary = -1;
  const during: { snapshot?: HeapSnapshot } = {};
  if (opts.algo === "barrier") {
    await slowBarrier(rank, opts, stage, during);
  } else if (!opts.slow) {
    const out = await rank.allReduce(rank.tensor(input), { algo: opts.algo });
    values = (await rank.read(out)) as Float32Array;
  } else {
    values = await slowAllReduce(rank, opts, input, stage, during);
    stage("check");
    const lib = (await rank.read(await rank.allReduce(rank.tensor(input), { algo: opts.algo }))) as Float32Array;
    differFromLibrary = 0;
    const a = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const b = new Uint32Array(lib.buffer, lib.byteOffset, lib.length);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differFromLibrary++;
  }
  stage("done");
  return { values, differFromLibrary, ms: performance.now() - t0, ...(during.snapshot ? { during: during.snapshot } : {}) };
}

async function slowBarrier(
  rank: Rank, opts: HeapRunOptions, stage: (name: string) => void, during: { snapshot?: HeapSnapshot },
): Promise<void> {
  stage("prepare");
  const t = rank.symm.empty([1], "int32", { label: "heap map: barrier" });
  try {
    const h = await rank.symm.rendezvous(t);
    if (opts.slow) {
      during.snapshot = rank.symm.snapshot();
      stage("arrive");
      await sleep(rank.rank * opts.pauseMs);
      // The public barrier: signal every peer on channel 0, then wait for each of them.
      await h.barrier({ channel: 0 });
      stage("leave");
      await sleep(opts.pauseMs);
      await h.barrier({ channel: 3 }); // nobody frees t while a peer is still in the barrier
    } else {
      await h.barrier();
    }
  } finally {
    rank.symm.free(t);
  }
}

/**
 * A signal step on `channel`: raise this rank's slot in every peer's pad, pause with the slots
 * up (so the page sees them), then wait for and clear every peer's slot in our own pad.
 */
async function signalStep(h: SymmetricMemoryHandle, channel: number, pauseMs: number): Promise<void> {
  for (let p = 0; p < h.worldSize; p++) if (p !== h.rank) await h.putSignal(p, { channel });
  await sleep(pauseMs);
  for (let p = 0; p < h.worldSize; p++) if (p !== h.rank) await h.waitSignal(p, { channel });
}

/** The one-shot or two-shot all-reduce (sum) with the handle API, pausing after every stage. */
async function slowAllReduce(
  rank: Rank, opts: HeapRunOptions, input: Float32Array, stage: (name: string) => void,
  during: { snapshot?: HeapSnapshot },
): Promise<Float32Array<ArrayBufferLike>> {
  const n = opts.n;
  stage("prepare");
  const buf = rank.symm.empty([n], "float32", { label: `heap map: ${opts.algo.replace("_", "-")} buffer` });
  try {
    buf.data.set(input);
    const h = await rank.symm.rendezvous(buf);
    during.snapshot = rank.symm.snapshot();
    const W = h.worldSize;
    await sleep(opts.pauseMs / 2);
    stage("inputs ready");
    await signalStep(h, 0, opts.pauseMs);
    const peers = Array.from({ length: W }, (_, p) => h.getBuffer(p, [n], "float32"));
    if (opts.algo === "one_shot") {
      stage("reduce");
      const out = new Float32Array(n);
      for (let p = 0; p < W; p++) {
        const src = peers[p];
        for (let i = 0; i < n; i++) out[i] += src[i];
      }
      await sleep(opts.pauseMs / 2);
      stage("done reading");
      await signalStep(h, 1, opts.pauseMs);
      return out;
    }
    const chunk = Math.ceil(n / W);
    const range = (r: number) => [Math.min(n, r * chunk), Math.min(n, (r + 1) * chunk)] as const;
    stage("reduce-scatter");
    const [lo, hi] = range(h.rank);
    const sum = new Float32Array(hi - lo);
    for (let p = 0; p < W; p++) {
      const src = peers[p];
      for (let i = lo; i < hi; i++) sum[i - lo] += src[i];
    }
    // Writes only our own chunk: peers read other chunks of our copy meanwhile.
    buf.data.set(sum, lo);
    await sleep(opts.pauseMs / 2);
    stage("reduce-scatter done");
    await signalStep(h, 1, opts.pauseMs);
    stage("all-gather");
    for (let p = 0; p < W; p++) {
      if (p === h.rank) continue;
      const [a, b] = range(p);
      buf.data.set(peers[p].subarray(a, b), a);
    }
    await sleep(opts.pauseMs / 2);
    stage("all-gather done");
    await signalStep(h, 2, opts.pauseMs);
    return Float32Array.from(buf.data);
  } finally {
    rank.symm.free(buf);
  }
}
