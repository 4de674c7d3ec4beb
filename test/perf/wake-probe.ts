/**
 * How long it takes to wake N sleeping workers, on this machine, by each way the library or a
 * hand-written loop could: the cause under T4's small sizes in Chromium (BENCHMARKS.md, issue 14).
 * Not a test (nothing asserted on time). The notifier is the main thread, as the naive baseline's
 * is; each round it releases every worker at once and notes the time, and each worker notes when
 * it woke:
 *   block    Atomics.wait in each worker, one Atomics.store + Atomics.notify (a rank's barrier in a worker)
 *   async    Atomics.waitAsync in each worker, the same notify (the host paths' wait with neverBlock)
 *   pad      (with --op) the signal-pad barrier's shape: signal every peer's slot, wait on each peer's in turn
 *   message  each worker idle in its event loop; one postMessage to each, in order (the naive baseline)
 * Printed per mode (ms, medians over rounds): the first and the last worker's wake-up after the
 * release, and the mean of all of them. With --gpu each worker owns a GPUDevice and, once awake,
 * does what a rank does after a small all-reduce's barrier: an 8-byte writeBuffer and
 * onSubmittedWorkDone, while the others are still waking. With --op (implies --gpu) a round is a
 * whole small all-reduce without the arithmetic: every worker reads 8 B back, then in block and
 * async the last to arrive releases the others (a central barrier, as a rank's), in message the
 * main thread does once it has every worker's data (the naive baseline); "round" is from the
 * round's start to the last acknowledgement. --work US adds US µs of busy JS per worker after the
 * start and after the release, standing for a rank's own per-call work (dispatch, bookkeeping).
 *
 *   Deno:     npx deno run -A --no-check test/perf/wake-probe.ts [--workers 16] [--rounds 50] [--gpu] [--op] [--work US]
 *   Chromium: node scripts/wake-probe.mjs [--workers 16] [--rounds 50] [--gpu] [--op] [--work US]
 */
import { median } from "../../src/bench/metrics.ts";

export type Mode = "block" | "async" | "pad" | "message";
export const MODES: readonly Mode[] = ["block", "async", "pad", "message"];

/** The modes a run measures: pad only with --op (without a barrier among the workers it is block). */
export function modesFor(o: ProbeOptions): Mode[] {
  return MODES.filter((m) => m !== "pad" || o.op);
}

export interface ProbeWorker {
  post(m: unknown): void;
  onMessage(fn: (m: { type: string; index?: number; woke?: number[] }) => void): void;
  terminate(): void;
}

export interface ProbeOptions {
  readonly workers: number;
  readonly rounds: number;
  readonly gpu: boolean;
  readonly op: boolean;
  /** --work US: µs of JS each worker runs after the start and after the release (a rank's own per-call work). */
  readonly workUs: number;
}

export interface ModeResult {
  readonly mode: Mode;
  /** After the release: the first and the last worker's wake-up, and their mean (ms, medians over rounds). */
  readonly firstMs: number;
  readonly lastMs: number;
  readonly meanMs: number;
  /** From the round's start to every worker's acknowledgement (ms, median). */
  readonly roundMs: number;
}

const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(i32: Int32Array, index: number, value: number): Promise<void> {
  while (Atomics.load(i32, index) < value) {
    const seen = Atomics.load(i32, index);
    const w = Atomics.waitAsync(i32, index, seen, 100);
    if (w.async) await w.value;
  }
}

/** One mode on fresh workers: `rounds` rounds 3 ms apart (the workers asleep by then). */
export async function probeMode(spawn: () => ProbeWorker, mode: Mode, o: ProbeOptions): Promise<ModeResult> {
  const n = o.workers;
  const sab = new SharedArrayBuffer(16);
  const ctl = new Int32Array(sab);
  const timesSab = new SharedArrayBuffer(8 * (o.rounds + 1));
  const releasedBy = new Float64Array(timesSab);
  const pads = new SharedArrayBuffer(4 * n * n);
  const workers = Array.from({ length: n }, spawn);
  const woke: number[][] = [];
  const counts: Record<string, number> = { ready: 0, data: 0, ack: 0 };
  let waiting: { type: string; target: number; resolve: () => void } | undefined;
  /** Resolves once `type` messages number `target` (no polling: a timer would add its clamp). */
  const count = (type: string, target: number) => new Promise<void>((resolve) => {
    if (counts[type] >= target) resolve();
    else waiting = { type, target, resolve };
  });
  workers.forEach((w) => w.onMessage((m) => {
    if (m.type === "times") woke[m.index!] = m.woke!;
    else counts[m.type]++;
    if (waiting !== undefined && counts[waiting.type] >= waiting.target) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve();
    }
  }));
  const allReady = count("ready", n);
  workers.forEach((w, index) => w.post({ type: "init", sab, times: timesSab, pads, index, workers: n, mode, rounds: o.rounds, gpu: o.gpu, op: o.op, workUs: o.workUs }));
  await allReady;
  await sleep(50);
  const released: number[] = [];
  const rounds: number[] = [];
  for (let r = 1; r <= o.rounds; r++) {
    await sleep(3);
    const t0 = wall();
    if (mode === "message") {
      if (o.op) {
        for (const w of workers) w.post({ type: "start" });
        await count("data", r * n);
      }
      released.push(wall());
      for (const w of workers) w.post({ type: "go" });
      await count("ack", r * n);
    } else {
      if (o.op) {
        Atomics.store(ctl, 0, r);
        Atomics.notify(ctl, 0);
      } else {
        released.push(wall());
        Atomics.store(ctl, 2, r);
        Atomics.notify(ctl, 2);
      }
      await waitFor(ctl, 3, r * n);
      if (o.op) released.push(releasedBy[r]);
    }
    rounds.push(wall() - t0);
  }
  if (mode === "message") workers.forEach((w) => w.post({ type: "finish" }));
  while (woke.filter((t) => t !== undefined).length < n) await sleep(5);
  workers.forEach((w) => w.terminate());
  const first: number[] = [];
  const last: number[] = [];
  const mean: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const d = woke.map((t) => t[r] - released[r]);
    first.push(Math.min(...d));
    last.push(Math.max(...d));
    mean.push(d.reduce((a, b) => a + b, 0) / d.length);
  }
  return { mode, firstMs: median(first), lastMs: median(last), meanMs: median(mean), roundMs: median(rounds) };
}

export function resultLines(runtime: string, o: ProbeOptions, results: readonly ModeResult[]): string[] {
  const f = (x: number) => x.toFixed(3).padStart(8);
  const what = o.op
    ? "each round: 8 B read back per worker, then released by the last worker to arrive (block, async) or by the main thread once it has every worker's data (message)"
    : "released by the main thread";
  return [
    `# wake-up of ${o.workers} sleeping workers, ${runtime}, ${o.rounds} rounds (ms, medians); ${what}` +
      (o.gpu || o.op ? "; each awake worker then writes 8 B to its own GPU device and waits for it" : "") +
      (o.workUs > 0 ? `; ${o.workUs} µs of JS per worker after the start and after the release` : ""),
    "#   mode        first     last     mean    round",
    ...results.map((r) => `    ${r.mode.padEnd(8)} ${f(r.firstMs)} ${f(r.lastMs)} ${f(r.meanMs)} ${f(r.roundMs)}`),
  ];
}

export function probeArgs(argv: readonly string[]): ProbeOptions {
  const num = (flag: string, dflt: number, min = 1) => {
    const at = argv.indexOf(flag);
    if (at < 0) return dflt;
    const v = Number(argv[at + 1]);
    if (!Number.isInteger(v) || v < min) throw new Error(`${flag}: expected a positive integer, found ${argv[at + 1]}`);
    return v;
  };
  return { workers: num("--workers", 16), rounds: num("--rounds", 50), gpu: argv.includes("--gpu"), op: argv.includes("--op"), workUs: num("--work", 0, 0) };
}

/** Every mode of `o` on module workers of `workerUrl` (wake-probe.worker.ts, as the runtime loads it): the lines to print. */
export async function runProbe(workerUrl: string | URL, runtime: string, argv: readonly string[]): Promise<string[]> {
  const o = probeArgs(argv);
  const spawn = (): ProbeWorker => {
    const w = new Worker(workerUrl, { type: "module" });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (fn) => (w.onmessage = (e) => fn(e.data)),
      terminate: () => w.terminate(),
    };
  };
  const results: ModeResult[] = [];
  for (const mode of modesFor(o)) results.push(await probeMode(spawn, mode, o));
  return resultLines(runtime, o, results);
}

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
if (deno !== undefined && (import.meta as { main?: boolean }).main === true) {
  for (const line of await runProbe(new URL("./wake-probe.worker.ts", import.meta.url), "deno", deno.args)) console.log(line);
}
