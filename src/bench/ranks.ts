/**
 * The benchmark's rank module: `world.run("measure", spec)` and friends run here, in every rank.
 * Each timed iteration starts at a barrier of all ranks and is timed inside the rank, from the
 * barrier's release to the op's return with the device queue drained (webgpu: the uploads and
 * kernels the op queued are part of its time); the runner takes the slowest rank's mean. What an
 * iteration does untimed (the check's readback, resets) waits at a second barrier until every
 * rank's timed window has ended, so no rank's untimed device work lands in a peer's window.
 */
import {
  type CollectiveDType, DEFAULT_HOST_TUNING, findOp, heapBlockBytes, paddedSize, type Rank, type ReduceOp,
  resourcesOf, type SymmetricMemoryHandle, type SymmetricTensor, type Tensor, tensorUsage, writeBytes,
} from "../internal.ts";
import {
  countWrong, countWrongVdev2d, expectedAllToAll, expectedSlice, expectedVdev2d, fillInput, rawArray, type RawArray,
} from "./data.ts";
import type { BenchOp } from "./flags.ts";
import { type FusedResult, type FusedSpec, measureFusedWith } from "./fused-ranks.ts";
import { installBreakdownHooks } from "./hooks.ts";
import { median } from "./metrics.ts";
import { recorder, STEPS, type Step } from "./recorder.ts";
import { rowTensors } from "./rank-tensors.ts";
import { type TraceSpan, wallMs } from "./trace.ts";
import { SPLIT_TENSOR_BYTES, splitTensors, type SplitTensors } from "./split-tensors.ts";
import type { SplitPlan } from "./splits.ts";
import { type CallPlan, needsOut } from "./variants.ts";

/** The benchmark's own barrier channel (the collectives use channel 0). */
const SYNC_CHANNEL = 1;

interface State {
  readonly sync: SymmetricMemoryHandle;
  readonly xbuf?: SymmetricTensor;
  readonly outbuf?: SymmetricTensor;
  readonly staging?: SymmetricTensor;
  /** cpu: the heap buffer of all_to_all_vdev_2d's split tensors. */
  readonly splitsbuf?: SymmetricTensor;
}

let state: State | undefined;

function current(): State {
  if (state === undefined) throw new Error("bench: benchSetup must run first");
  return state;
}

export interface SetupSpec {
  /** cpu: bytes of the largest input and output (heap buffers the rows view). */
  readonly inBytes: number;
  readonly outBytes: number;
  /** webgpu baselines: bytes of the heap region the staging floor reads back into. */
  readonly stagingBytes: number;
  readonly breakdown: boolean;
  /** Op names to look up in this rank's op table. */
  readonly probe: readonly string[];
  /** `rank.configure(op, settings)` for each op, on every rank. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Allocates the heap buffers first (so the dispatcher's workspace grows behind them), once. */
export async function benchSetup(rank: Rank, spec: SetupSpec): Promise<{ defined: string[] }> {
  const syncT = rank.symm.empty([256], "uint8");
  const sync = await rank.symm.rendezvous(syncT);
  const alloc = async (bytes: number) => {
    const t = rank.symm.empty([Math.max(1, bytes)], "uint8");
    await rank.symm.rendezvous(t);
    return t;
  };
  const staging = spec.stagingBytes > 0 ? await alloc(spec.stagingBytes) : undefined;
  const cpu = rank.backend !== "webgpu";
  const xbuf = cpu ? await alloc(spec.inBytes) : undefined;
  const outbuf = cpu ? await alloc(spec.outBytes) : undefined;
  const splitsbuf = cpu ? await alloc(SPLIT_TENSOR_BYTES) : undefined;
  state = { sync, xbuf, outbuf, staging, splitsbuf };
  if (spec.breakdown) installBreakdownHooks(rank);
  for (const [op, settings] of Object.entries(spec.settings ?? {})) rank.configure(op, settings);
  return { defined: spec.probe.filter((name) => findOp(name) !== undefined) };
}

export interface MeasureSpec {
  readonly op: BenchOp;
  readonly plan: CallPlan;
  readonly dtype: CollectiveDType;
  readonly redop: ReduceOp;
  readonly root: number;
  readonly inCount: number;
  readonly outCount: number;
  readonly warmup: number;
  readonly iters: number;
  /** Every rank's expected result (a SharedArrayBuffer view), when checking. */
  readonly expected: RawArray | undefined;
  /**
   * The all-to-alls: check, with the expected result computed in this rank from the inputs'
   * generator (and the split plan), not sent from the main thread (it would be world² chunks).
   */
  readonly selfCheck?: boolean;
  /** all_to_all_vdev_2d: the row's splits. */
  readonly splits?: SplitPlan;
  /** Bit-exact comparison (cpu), else the dtype's tolerance. */
  readonly exact: boolean;
  readonly breakdown: boolean;
  /** Keep every timed iteration's steps as spans (--trace; benchSetup must have had `breakdown` for the hooks). */
  readonly trace?: boolean;
}

export interface MeasureResult {
  readonly meanUs: number;
  /** The median timed iteration, µs: with meanUs, how much of the mean is a few slow iterations. */
  readonly medianUs: number;
  readonly wrong: number | null;
  /** µs per iteration per step, with breakdown. */
  readonly steps?: Record<Step, number>;
  /** With `trace`: the timed iterations' spans (the benchmark's barrier, the iteration, its steps). */
  readonly trace?: TraceSpan[];
}

/** The op's arguments by name, from its schema: robust to argument order and to new ops. */
function callArgs(
  plan: CallPlan, x: Tensor, out: Tensor | undefined, s: MeasureSpec, splits: SplitTensors | undefined,
): Record<string, unknown> {
  const entry = findOp(plan.opName);
  if (entry === undefined) throw new Error(`bench: ${plan.opName} is not defined in this build`);
  const named: Record<string, unknown> = {};
  for (const a of entry.schema.args) {
    switch (a.name) {
      case "input": named.input = x; break;
      case "out":
      case "output": named[a.name] = plan.outIsInput ? x : out; break;
      case "reduce_op": named.reduce_op = s.redop; break;
      case "group_name": named.group_name = "world"; break;
      case "root": named.root = s.root; break;
      case "split_last_dim": named.split_last_dim = false; break;
      case "in_splits":
      case "out_splits_offsets":
        if (splits === undefined) throw new Error(`bench: ${plan.opName} needs split tensors, and the row has no splits`);
        named[a.name] = a.name === "in_splits" ? splits.inSplits : splits.outSplitsOffsets;
        break;
      default:
        if (!a.hasDefault && !a.type.optional) {
          throw new Error(`bench: ${plan.opName} has an argument "${a.name}" the benchmark cannot fill`);
        }
    }
  }
  return named;
}

function scaled(steps: Record<Step, number>, factor: number): Record<Step, number> {
  return Object.fromEntries(STEPS.map((k) => [k, steps[k] * factor])) as Record<Step, number>;
}

/** One placement of one size: warm-ups, then timed iterations, every result checked when asked. */
export async function measure(rank: Rank, s: MeasureSpec): Promise<MeasureResult> {
  const st = current();
  const input = fillInput(s.dtype, rank.rank, 0, rawArray(s.dtype, s.inCount));
  const t = rowTensors(rank, s.dtype, input, needsOut(s.plan) ? s.outCount : undefined, st);
  const splits = s.splits === undefined ? undefined : splitTensors(rank, s.splits, st.splitsbuf);
  try {
    const args = callArgs(s.plan, t.x, t.out, s, splits);
    const want = s.expected !== undefined ? expectedSlice(s.op, s.expected, rank.rank, s.outCount)
      : s.selfCheck === true ? selfExpected(s, rank) : undefined;
    const overwritesInput = s.plan.resultAt === "input" || s.plan.outIsInput;
    // Untimed work between two timed windows (the check's readback, the input's reset, the
    // poisoning of out and splits) waits until every rank's timed window has ended, as the naive
    // loop's main thread waits for every worker's "done" before it resets: else a rank that
    // finished first does its readback and uploads through the device (one GPU process for all
    // ranks in Chromium) inside its peers' timed windows (BENCHMARKS.md, issue 14, 2026-12-08).
    const untimedWork = want !== undefined || overwritesInput || splits !== undefined;
    let wrong = 0;
    let totalMs = 0;
    const times: number[] = [];
    recorder.reset();
    if (s.trace === true) recorder.startTrace();
    for (let it = 0; it < s.warmup + s.iters; it++) {
      const timed = it >= s.warmup;
      if (overwritesInput) t.resetInput();
      if (want !== undefined) {
        t.poisonOut();
        splits?.poison();
      }
      await t.drain();
      const b0 = wallMs();
      await st.sync.barrier({ channel: SYNC_CHANNEL });
      const recording = timed && (s.breakdown || s.trace === true);
      if (recording) recorder.begin(it - s.warmup);
      const w0 = wallMs();
      const t0 = performance.now();
      const result = await rank.call(s.plan.opName, args);
      await recorder.span("drain", true, () => t.drain());
      const ms = performance.now() - t0;
      if (timed) {
        totalMs += ms;
        times.push(ms);
        if (recording) recorder.end(ms);
        recorder.note("bench_barrier", b0, w0);
        recorder.note("iteration", w0, w0 + ms);
      }
      if (untimedWork) await st.sync.barrier({ channel: SYNC_CHANNEL });
      if (want !== undefined) {
        const at = s.plan.resultAt === "returned" ? (result as Tensor)
          : s.plan.resultAt === "out" && !s.plan.outIsInput ? (t.out as Tensor) : t.x;
        const got = await t.read(at);
        wrong += s.splits === undefined ? countWrong(s.dtype, got, want, s.exact)
          : countWrongVdev2d(s.dtype, got, want, rank.rank, s.splits, s.exact);
        if (splits !== undefined) wrong += await splits.wrong();
      }
      if (s.plan.resultAt === "returned") t.release(result);
    }
    const perIter = s.iters > 0 ? 1 / s.iters : 0;
    return {
      meanUs: totalMs * perIter * 1000,
      medianUs: median(times) * 1000,
      wrong: want === undefined ? null : wrong,
      steps: s.breakdown ? scaled(recorder.read(), perIter * 1000) : undefined,
      trace: s.trace === true ? recorder.takeSpans() : undefined,
    };
  } finally {
    splits?.close();
    t.close();
  }
}

/** One variant (fused, unfused, comm, matmul) of one row of the fused ops (fused-ranks.ts). */
export async function measureFused(rank: Rank, s: FusedSpec): Promise<FusedResult> {
  return measureFusedWith(rank, current().sync, SYNC_CHANNEL, s);
}

/** What this rank must hold after an all-to-all, from the inputs' generator alone. */
function selfExpected(s: MeasureSpec, rank: Rank): RawArray {
  if (s.splits !== undefined) return expectedVdev2d(s.dtype, rank.rank, s.splits);
  const ranks = rank.worldSize;
  return expectedAllToAll(s.dtype, rank.rank, ranks, s.outCount / ranks);
}

export interface BaselineSpec {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** The staging floor of all_to_all_vdev_2d: each rank's bytesOut (what it receives). */
  readonly bytesOutByRank?: readonly number[];
  readonly warmup: number;
  readonly iters: number;
}

/** Runs `body` warmup + iters times, each after a barrier; the mean of the timed ones, in µs. */
async function timedLoop(spec: BaselineSpec, body: () => Promise<void> | void, reps = 1): Promise<number> {
  const { sync } = current();
  let total = 0;
  for (let it = 0; it < spec.warmup + spec.iters; it++) {
    await sync.barrier({ channel: SYNC_CHANNEL });
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) await body();
    if (it >= spec.warmup) total += (performance.now() - t0) / reps;
  }
  return (total / spec.iters) * 1000;
}

/**
 * Staging floor: every rank, concurrently, reads back its input's bytes from its GPU buffer into
 * the heap and uploads its output's bytes from the heap — nothing else — the fastest way the
 * benchmark knows, which is the way the chunked collective stages (DEFAULT_HOST_TUNING: chunks of
 * chunkBytes, inSlots readbacks in flight through the staging ring; each chunk uploaded with
 * writeBuffer from the heap as soon as it has landed). Then the queue is drained.
 */
export async function stagingFloor(rank: Rank, spec: BaselineSpec): Promise<number> {
  const st = current();
  const device = rank.device;
  if (device === null || st.staging === undefined) throw new Error("bench: the staging floor needs webgpu and its heap region");
  const bytesOut = spec.bytesOutByRank?.[rank.rank] ?? spec.bytesOut;
  const total = Math.max(spec.bytesIn, bytesOut);
  const buffer = device.createBuffer({ size: paddedSize(total), usage: tensorUsage() });
  const heap = new Uint8Array(st.staging.slab, st.staging.byteOffset, paddedSize(total)) as Uint8Array<SharedArrayBuffer>;
  const { chunkBytes, inSlots } = DEFAULT_HOST_TUNING;
  const chunk = Math.min(chunkBytes, heapBlockBytes(total));
  const { staging } = resourcesOf(device);
  const stage = (off: number, len: number): Promise<void> =>
    staging.read(buffer, paddedSize(len), (mapped) => heap.set(mapped, off), { srcOffset: off });
  const upload = (off: number, len: number) => {
    if (len > 0) writeBytes(device.queue, buffer, off, heap.subarray(off, off + paddedSize(len)));
  };
  try {
    return await timedLoop(spec, async () => {
      const pending: Promise<void>[] = [];
      for (let off = 0; off < total; off += chunk) {
        if (pending.length >= inSlots) await pending.shift();
        const inLen = Math.max(0, Math.min(chunk, spec.bytesIn - off));
        const outLen = Math.max(0, Math.min(chunk, bytesOut - off));
        pending.push((inLen > 0 ? stage(off, inLen) : Promise.resolve()).then(() => upload(off, outLen)));
      }
      await Promise.all(pending);
      await device.queue.onSubmittedWorkDone();
    });
  } finally {
    buffer.destroy();
  }
}

/**
 * Heap memcpy: every rank, concurrently, copies bytesIn bytes between two SharedArrayBuffers with
 * TypedArray.set. Small copies repeat within an iteration (to about 1 MiB) and are divided, so
 * the timer's resolution (5 µs in a browser) does not swamp them.
 */
export async function heapMemcpy(_rank: Rank, spec: BaselineSpec): Promise<number> {
  const src = new Uint8Array(new SharedArrayBuffer(Math.max(1, spec.bytesIn))).fill(7);
  const dst = new Uint8Array(new SharedArrayBuffer(Math.max(1, spec.bytesIn)));
  const reps = Math.min(1000, Math.max(1, Math.ceil((1 << 20) / Math.max(1, spec.bytesIn))));
  return timedLoop(spec, () => dst.set(src), reps);
}

/** GPU round trip on rank 0: writeBuffer + submit (a copy) + readback of 8 bytes through the staging ring. Other ranks: null. */
export async function gpuRoundtrip(rank: Rank, spec: BaselineSpec): Promise<number | null> {
  const device = rank.device;
  if (rank.rank !== 0 || device === null) return null;
  const buf = device.createBuffer({ size: 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const { staging } = resourcesOf(device);
  const words = new Uint32Array(2);
  let total = 0;
  try {
    for (let it = 0; it < spec.warmup + spec.iters; it++) {
      const t0 = performance.now();
      words[0] = it;
      device.queue.writeBuffer(buf, 0, words);
      const got = await staging.read(buf, 8, (mapped) => new Uint32Array(mapped.buffer, mapped.byteOffset, 2)[0]);
      if (got !== it) throw new Error(`bench: GPU round trip read ${got}, expected ${it}`);
      if (it >= spec.warmup) total += performance.now() - t0;
    }
  } finally {
    buf.destroy();
  }
  return (total / spec.iters) * 1000;
}
