/**
 * The benchmark's main-thread core, the same in Chromium, Deno and Node: launches a world, runs
 * every size out-of-place and in-place, measures the baselines beside it, prints the table as
 * rows complete (progress on stderr) and returns the report.
 */
import {
  chooseAllReduceAlgo, describeAdapter, detectRuntime, HEAP_ALIGNMENT, heapBlockBytes, itemsize, launch,
  MAX_HEAP_BYTES, type World,
} from "../internal.ts";
import { expectedResult, type RawArray } from "./data.ts";
import { CLI_NAMES, type BenchOptions, type BenchRuntime, FUSED_OPS, type OptionKey, type OptionNames, REDUCING_OPS } from "./flags.ts";
import type { FusedResult, FusedSpec, FusedVariant } from "./fused-ranks.ts";
import { formatBytes, formatTime } from "./format.ts";
import { bandwidth } from "./metrics.ts";
import { NaiveCollective } from "./naive/naive.ts";
import { naiveExpected, naiveStep } from "./naive/naive-exchange.ts";
import { baselinesTable, breakdownTable, headerComment, movedTable, splitsComment } from "./print.ts";
import { fusedComment, fusionTable } from "./print-fused.ts";
import type { MeasureResult, MeasureSpec } from "./ranks.ts";
import type { BaselineResult, BenchReport, Measured, RowResult } from "./report.ts";
import { rowShape, sweep, type RowShape } from "./sizes.ts";
import { SPLIT_TENSOR_BYTES } from "./split-tensors.ts";
import { receivedTotal } from "./splits.ts";
import { footer, tableHeader, tableRow } from "./table.ts";
import type { RowTrace } from "./trace.ts";
import { HOST_IN_PLACE, isPlan, OPTIONAL_OPS, type Placement, placements } from "./variants.ts";

export interface BenchIO {
  /** A line of the results (stdout). */
  out(line: string): void;
  /** A line of progress or a note (stderr). */
  err(line: string): void;
}

export interface RunEnv {
  /** package.json's version, when the entry point can read it. */
  readonly version?: string;
  /**
   * The rank worker to launch: ranks.worker.ts as the page's bundler built it (Vite, as in
   * demo/bench-panel.ts: `import rankWorker from "../src/bench/ranks.worker.ts?worker&url"`), for
   * pages that must also work built for production. Default: ranks.ts as a `rankModule`, which the
   * library's own rank worker imports (Deno, Node, and pages on the Vite dev server such as
   * bench/page.html for `npm run bench -- --runtime chromium`).
   */
  readonly rankWorker?: string | URL;
  /** How messages name the options (default: the command line's flags; a page: its form's labels). */
  readonly names?: OptionNames;
  /** Called as the run goes: after the launch, before and after each size, at the end. */
  readonly onProgress?: (progress: BenchProgress) => void;
}

/** Sizes done (and to do) of one algorithm. */
export interface AlgoProgress {
  readonly algo: string;
  readonly done: number;
  readonly total: number;
}

/** Where a run is: what a page draws its progress bar, table and chart from while it runs. */
export interface BenchProgress {
  /**
   * "launched": the ranks are up, nothing measured yet; "measuring": size `done` (0-based) starts;
   * "measured": it is done (`row` is its result); "done": every size measured.
   */
  readonly phase: "launched" | "measuring" | "measured" | "done";
  /** Sizes measured so far, and in all. */
  readonly done: number;
  readonly total: number;
  /** The same per algorithm, in the order the algorithms first run. */
  readonly perAlgo: readonly AlgoProgress[];
  /** The size and algorithm being measured ("measuring") or just measured ("measured"). */
  readonly size?: number;
  readonly algo?: string;
  /** The row just measured ("measured"). */
  readonly row?: RowResult;
  /** Every row so far, and every baseline so far. */
  readonly rows: readonly RowResult[];
  readonly baselines: readonly BaselineResult[];
  /** The adapters, one line per rank (from "launched" on). */
  readonly adapters: readonly string[];
  readonly elapsedMs: number;
}

/** A failure of the run itself (not of a flag), with a message for the user. */
export class BenchError extends Error {
  override name = "BenchError";
  /** The option that would fix it, when one would (e.g. the max size, for a heap too large). */
  readonly field?: OptionKey;
  constructor(message: string, field?: OptionKey) {
    super(message);
    if (field !== undefined) this.field = field;
  }
}

// The rank functions, for the library's own rank worker to import (RunEnv.rankWorker replaces it).
// @vite-ignore: a bundler must not copy the .ts file into a page's build, where it could not run.
const RANK_MODULE = new URL(/* @vite-ignore */ "./ranks.ts", import.meta.url);

/** A heap block for `bytes`, and one more block of slack. */
const align = (bytes: number): number => heapBlockBytes(bytes) + HEAP_ALIGNMENT;

/**
 * Heap per rank: the benchmark's own regions (cpu: input and output buffers and the split
 * tensors' buffer; webgpu: the staging floor's region), the dispatcher's workspace (webgpu: an
 * input and an output slot), and one more buffer of room for ops that keep scratch in the heap.
 */
export function heapBytesFor(
  backend: string, maxIn: number, maxOut: number, staging: number, names: OptionNames = CLI_NAMES,
): number {
  const big = Math.max(maxIn, maxOut);
  const minimal = (1 << 16) + align(staging) + align(maxIn) + align(backend === "cpu" ? maxOut : big) +
    (backend === "cpu" ? align(SPLIT_TENSOR_BYTES) : 0);
  if (minimal > MAX_HEAP_BYTES) {
    const e = names.short("maxBytes");
    throw new BenchError(
      `${e} ${maxIn} needs a ${formatBytes(minimal)} heap per rank, more than the ${formatBytes(MAX_HEAP_BYTES)} limit: lower ${e}`,
      "maxBytes",
    );
  }
  return Math.min(MAX_HEAP_BYTES, minimal + align(big));
}

/**
 * Heap per rank for the fused ops: the staging floor's region, the dispatcher's realization slots
 * of the decomposition's collective (its input and output), the fused op's own workspace (about
 * the same bytes), and room for the workspaces to grow row by row (each is reallocated larger).
 */
export function fusedHeapBytes(maxIn: number, maxOut: number, staging: number, names: OptionNames = CLI_NAMES): number {
  const slots = align(maxIn) + align(maxOut);
  const need = (1 << 16) + align(staging) + 3 * slots;
  if (need > MAX_HEAP_BYTES) {
    const e = names.short("maxBytes");
    throw new BenchError(`${e} ${Math.max(maxIn, maxOut)} needs a ${formatBytes(need)} heap per rank for the fused ops, more ` +
      `than the ${formatBytes(MAX_HEAP_BYTES)} limit: lower ${e}`, "maxBytes");
  }
  return need;
}

/** The algorithm of a row: --algo, or the tuning table's choice for auto; "default" for the other ops. */
export function algoFor(o: BenchOptions, shape: RowShape): string {
  if (o.op !== "all_reduce") return "default";
  return o.algo === "auto" ? chooseAllReduceAlgo(o.backend, shape.size, o.ranks, detectRuntime()) : o.algo;
}

function describeAlgos(o: BenchOptions, shapes: readonly RowShape[], algos: readonly string[], defined: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  if (o.op === "all_reduce" && o.algo === "auto") {
    const ranges = [...new Set(algos)].map((a) => {
      const sizes = shapes.filter((_, i) => algos[i] === a).map((s) => s.size);
      return `${a} for ${formatBytes(Math.min(...sizes))} - ${formatBytes(Math.max(...sizes))}`;
    });
    lines.push(`Algorithm: auto, from the tuning table (src/api/tuning.ts): ${ranges.join("; ")}`);
  }
  for (const a of [...new Set(algos)]) {
    const [out, inp] = placements(o.op, a, o.backend, defined);
    const d = (p: Placement) => (isPlan(p) ? p.describe : `N/A: ${p.na}`);
    lines.push(`${a}: out-of-place ${d(out)}`);
    lines.push(`${" ".repeat(a.length)}  in-place     ${d(inp)}`);
  }
  return lines;
}

function combine(o: BenchOptions, shape: RowShape, opName: string, results: readonly MeasureResult[]): Measured {
  let slowest = 0;
  results.forEach((r, i) => {
    if (r.meanUs > results[slowest].meanUs) slowest = i;
  });
  const timeUs = results[slowest].meanUs;
  const medianUs = Math.max(...results.map((r) => r.medianUs));
  const wrong = results.every((r) => r.wrong === null) ? null : results.reduce((s, r) => s + (r.wrong ?? 0), 0);
  return { opName, timeUs, medianUs, ...bandwidth(o.op, shape.count, o.ranks, o.dtype, timeUs), wrong, steps: results[slowest].steps };
}

/**
 * Chromium: the naive baseline's page holds every worker's buffer (and clones the result into each
 * post); 16 ranks × 32 MiB ran, 16 × 64 MiB crashed the renderer ("Target crashed", 2026-12-04),
 * so above this the row has no naive baseline rather than no run.
 */
export const NAIVE_PAGE_MAX_BYTES = 512 * 1024 * 1024;

/** Whether the naive baseline runs at a row whose workers' buffers total `bytes` (see NAIVE_PAGE_MAX_BYTES). */
export function naiveFits(runtime: BenchRuntime, bytes: number): boolean {
  return runtime !== "chromium" || bytes <= NAIVE_PAGE_MAX_BYTES;
}

const max = (xs: readonly (number | null)[]): number => Math.max(...xs.filter((x): x is number => x !== null));

export async function runBench(o: BenchOptions, io: BenchIO, env: RunEnv = {}): Promise<BenchReport> {
  const started = performance.now();
  const runtime = detectRuntime();
  const elem = itemsize(o.dtype);
  const names = env.names ?? CLI_NAMES;
  const fused = FUSED_OPS.includes(o.op);
  const shapes = sweep(o, names).map((b) => rowShape(o.op, b, o.ranks, o.dtype, o.experts, o.hidden));
  const maxIn = Math.max(...shapes.map((s) => s.inCount * elem));
  const maxOut = Math.max(...shapes.map((s) => s.outCount * elem));
  const gpu = o.backend === "webgpu";
  const staging = gpu && o.baselines ? Math.max(maxIn, maxOut) : 0;
  const heapBytes = fused ? fusedHeapBytes(maxIn, maxOut, staging, names) : heapBytesFor(o.backend, maxIn, maxOut, staging, names);
  for (const n of o.notes) io.err(`# note: ${n}`);
  if (o.trace !== undefined && fused) io.err(`# note: --trace records the collectives and the naive baseline; the trace of ${o.op} will be empty`);

  const host = {
    ...(o.oneRoundMax !== undefined ? { oneRoundMaxBytes: o.oneRoundMax } : {}),
    ...(o.reduceOnceMax !== undefined ? { reduceOnceMaxBytes: o.reduceOnceMax } : {}),
    ...(o.chunkBytes !== undefined ? { chunkBytes: o.chunkBytes } : {}),
    ...(o.slots !== undefined ? { inSlots: o.slots, outSlots: o.slots } : {}),
  };
  const settings = Object.keys(host).length === 0 ? undefined : { [HOST_IN_PLACE]: host };
  if (settings !== undefined) io.out(`# Settings: ${Object.entries(settings).map(([op, v]) => `${op} ${JSON.stringify(v)}`).join("; ")}`);
  let world: World | undefined;
  let naive: NaiveCollective | undefined;
  try {
    world = await launch({
      worldSize: o.ranks, heapBytes, backend: o.backend, timeoutMs: 600_000, wasmHeap: o.wasmHeap,
      ...(env.rankWorker !== undefined ? { rankWorker: env.rankWorker } : { rankModule: RANK_MODULE }),
    });
    const tracing = o.trace !== undefined;
    const [setup] = await world.run<{ defined: string[] }>("benchSetup", {
      inBytes: fused ? 0 : maxIn, outBytes: fused ? 0 : maxOut, stagingBytes: staging, breakdown: o.breakdown || tracing, probe: OPTIONAL_OPS,
      settings,
    });
    const defined = new Set(setup.defined);
    if (o.op === "all_reduce" && o.algo === "host" && !defined.has(HOST_IN_PLACE)) {
      const a = names.short("algo");
      throw new BenchError(`${a} host is not available: ${HOST_IN_PLACE} is not defined in this build ` +
        `(use ${a} auto, one_shot, two_shot or multimem)`, "algo");
    }
    const algos = shapes.map((s) => algoFor(o, s));
    const adapters = world.adapters.map((a) => describeAdapter(a));
    const tensors = fused
      ? `regular ${gpu ? "GPU" : "cpu"} tensors (the fused ops copy A into their workspace; the decomposition's collective ` +
        "realizes its input and out in the heap and copies out back: all part of the time)"
      : gpu
      ? "regular GPU tensors (the dispatcher's readback into the heap and upload back are part of the time)"
      : "symmetric heap tensors (no realization)";
    const opLines = [...describeAlgos(o, shapes, algos, defined), ...splitsComment(o, shapes), ...(fused ? fusedComment(o) : [])];
    const heapKind = world.wasmHeap ? "wasm_memory" : "shared_array_buffer";
    for (const line of headerComment(o, { runtime, adapters, heapBytes, heapKind, opLines, tensors })) io.out(line);

    const baselines: BaselineResult[] = [];
    const loop = { warmup: o.warmup, iters: o.iters };
    if (gpu && o.baselines) {
      const rt = await world.run<number | null>("gpuRoundtrip", { bytesIn: 8, bytesOut: 8, ...loop });
      baselines.push({ name: "gpu_roundtrip", size: 8, timeUs: max(rt) });
    }
    if (o.baselines && naiveStep(o, shapes[0]) !== undefined) {
      naive = await NaiveCollective.start(runtime, o.ranks, o.backend, o.dtype);
    }
    for (const line of tableHeader()) io.out(line);

    const rows: RowResult[] = [];
    const traces: RowTrace[] = [];
    const perAlgo = new Map<string, { algo: string; done: number; total: number }>();
    for (const a of algos) {
      const p = perAlgo.get(a) ?? { algo: a, done: 0, total: 0 };
      p.total++;
      perAlgo.set(a, p);
    }
    const progress = (phase: BenchProgress["phase"], extra: Partial<BenchProgress> = {}) => env.onProgress?.({
      phase, done: rows.length, total: shapes.length, perAlgo: [...perAlgo.values()].map((p) => ({ ...p })),
      rows: [...rows], baselines: [...baselines], adapters, elapsedMs: performance.now() - started, ...extra,
    });
    progress("launched");
    for (let i = 0; i < shapes.length; i++) {
      const shape = shapes[i];
      const algo = algos[i];
      progress("measuring", { size: shape.size, algo });
      // The all-to-alls' ranks compute their own expected result (selfCheck).
      const a2a = o.op === "all_to_all" || o.op === "all_to_all_vdev_2d";
      const expected: RawArray | undefined = o.check && !a2a && !fused
        ? expectedResult(o.op, o.dtype, o.redop, o.ranks, shape.count, o.root) : undefined;
      const measured: (Measured | null)[] = [];
      // The fused ops: the fused op (checked against the decomposition), then its baselines.
      const fusedRun = async (variant: FusedVariant): Promise<FusedResult[]> => {
        const mm = shape.mm!;
        const spec: FusedSpec = {
          op: o.op as FusedSpec["op"], variant, dtype: o.dtype, m: mm.m, k: mm.k, n: mm.n, warmup: o.warmup, iters: o.iters,
          check: o.check, breakdown: o.breakdown,
        };
        return world!.run<FusedResult>("measureFused", spec);
      };
      for (const p of placements(o.op, algo, o.backend, defined)) {
        const where = measured.length === 0 ? "out-of-place" : "in-place";
        if (isPlan(p) && fused) {
          measured.push(combine(o, shape, p.opName, await fusedRun("fused")));
          continue;
        }
        if (!isPlan(p)) {
          measured.push(null);
          continue;
        }
        const spec: MeasureSpec = {
          op: o.op, plan: p, dtype: o.dtype, redop: o.redop, root: o.root, inCount: shape.inCount, outCount: shape.outCount,
          warmup: o.warmup, iters: o.iters, expected, exact: !gpu, breakdown: o.breakdown, trace: tracing,
          selfCheck: o.check && a2a, ...(shape.splits !== undefined ? { splits: shape.splits } : {}),
        };
        const results = await world.run<MeasureResult>("measure", spec);
        measured.push(combine(o, shape, p.opName, results));
        if (tracing) traces.push({ label: `${formatBytes(shape.size)} ${where} ${p.opName}`, ranks: results.map((r) => r.trace ?? []) });
      }
      const row: RowResult = {
        op: o.op, algo, size: shape.size, count: shape.count, dtype: o.dtype,
        redop: REDUCING_OPS.includes(o.op) ? (o.op === "reduce_scatter" ? "sum" : o.redop)
          : o.op === "fused_matmul_reduce_scatter" ? "sum" : "none",
        root: o.op === "broadcast" ? o.root : -1, outOfPlace: measured[0], inPlace: measured[1],
        ...(shape.splits !== undefined ? { splits: shape.splits } : {}),
        ...(shape.mm !== undefined ? { mm: shape.mm } : {}),
      };
      rows.push(row);
      io.out(tableRow(row));

      if (o.baselines && fused) {
        for (const v of ["unfused", "comm", "matmul"] as const) {
          baselines.push({ name: v, size: shape.size, timeUs: max((await fusedRun(v)).map((r) => r.meanUs)) });
        }
      }
      if (o.baselines) {
        const bytes = { bytesIn: shape.inCount * elem, bytesOut: shape.outCount * elem, ...loop };
        if (gpu) {
          // all_to_all_vdev_2d: each rank uploads what it receives, not the out tensor's capacity.
          const plan = shape.splits;
          const floor = plan === undefined ? bytes
            : { ...bytes, bytesOutByRank: Array.from({ length: o.ranks }, (_, r) => receivedTotal(plan, r) * elem) };
          baselines.push({ name: "staging_floor", size: shape.size, timeUs: max(await world.run<number>("stagingFloor", floor)) });
        }
        const naiveBytes = o.ranks * Math.max(shape.inCount, shape.outCount) * elem;
        if (naive !== undefined && !naiveFits(o.runtime, naiveBytes)) {
          io.err(`# note: no naive_postmessage baseline at ${formatBytes(shape.size)}: its page would hold every worker's ` +
            `buffer at once (${formatBytes(naiveBytes)}), past the ${formatBytes(NAIVE_PAGE_MAX_BYTES)} that Chromium's renderer ` +
            "survived on this machine (16 ranks × 64 MiB crashed it)");
        } else if (naive !== undefined) {
          const step = naiveStep(o, shape)!;
          const want = o.check ? naiveExpected(o, shape, expected) : undefined;
          const n = await naive.measure(step, shape.inCount, shape.outCount, o.warmup, o.iters, want);
          if (n.wrong > 0) io.err(`# warning: the naive baseline got ${n.wrong} wrong elements at ${shape.size} B`);
          baselines.push({ name: "naive_postmessage", size: shape.size, timeUs: n.timeUs });
          if (tracing) traces.push({ label: `${formatBytes(shape.size)} naive_postmessage`, ranks: n.trace });
        }
        const memcpy = { ...bytes, bytesIn: shape.size };
        baselines.push({ name: "heap_memcpy", size: shape.size, timeUs: max(await world.run<number>("heapMemcpy", memcpy)) });
      }
      perAlgo.get(algo)!.done++;
      progress("measured", { size: shape.size, algo, row });
      const t = (m: Measured | null) => (m === null ? "N/A" : `${formatTime(m.timeUs).trim()} us`);
      const wrong = measured.reduce((s, m) => s + (m?.wrong ?? 0), 0);
      io.err(`[bench] ${i + 1}/${shapes.length} ${formatBytes(shape.size)} ${algo}: out-of-place ${t(measured[0])}, ` +
        `in-place ${t(measured[1])}${o.check ? `, wrong ${wrong}` : ""} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    for (const line of footer(rows)) io.out(line);
    for (const line of baselinesTable(rows, baselines)) io.out(line);
    for (const line of movedTable(rows, o.dtype)) io.out(line);
    for (const line of fusionTable(rows, baselines)) io.out(line);
    if (o.breakdown) for (const line of breakdownTable(rows)) io.out(line);
    progress("done");
    return {
      meta: {
        runtime, backend: o.backend, ranks: o.ranks, adapter: adapters[0] ?? "", date: new Date().toISOString(),
        version: env.version ?? "unknown", heap: heapKind, ...(settings !== undefined ? { settings } : {}),
      },
      rows,
      baselines,
      ...(tracing ? { traces } : {}),
    };
  } finally {
    await naive?.close();
    await world?.close();
  }
}
