/**
 * `benchMain(argv, io, env)`: what every entry point calls (deno/bench.ts, scripts/bench.mjs for
 * node, bench/page.ts for chromium, the demo page): parses the flags, runs, prints, and hands back
 * the JSON for the entry point to write (only it knows how to write a file there).
 */
import { detectRuntime } from "../internal.ts";
import { BenchFlagError, type BenchOptions, type BenchRuntime, parseFlags, usage } from "./flags.ts";
import { jsonText, type BenchReport } from "./report.ts";
import { traceJson } from "./trace.ts";
import { type BenchIO, BenchError, type RunEnv, runBench } from "./runner.ts";

export interface BenchOutcome {
  /** 0: ran and every check passed; 1: wrong results or a failed run; 2: bad flags. */
  readonly code: number;
  readonly report?: BenchReport;
  /** The --json text, when --json was given. */
  readonly json?: string;
  readonly jsonPath?: string;
  /** The --trace text (trace.ts), when --trace was given. */
  readonly trace?: string;
  readonly tracePath?: string;
  /** What made the run fail (code 1 or 2 after the flags were parsed). */
  readonly error?: Error;
}

export async function benchMain(argv: readonly string[], io: BenchIO, env: RunEnv = {}): Promise<BenchOutcome> {
  const here = detectRuntime() as BenchRuntime;
  let opts;
  try {
    opts = parseFlags(argv, here);
  } catch (e) {
    if (!(e instanceof BenchFlagError)) throw e;
    io.err(`bench: ${e.message}`);
    return { code: 2 };
  }
  if (opts.help) {
    for (const line of usage().split("\n")) io.out(line);
    return { code: 0 };
  }
  if (opts.runtime !== here) {
    io.err(`bench: --runtime ${opts.runtime}, but this entry point runs in ${here}: use npm run bench -- --runtime ${opts.runtime}`);
    return { code: 2 };
  }
  return benchRun(opts, io, env);
}

/**
 * benchMain once the options are parsed (a page's form parses them with parseFields): runs,
 * prints to `io`, and hands back the outcome (the error too, when the run failed).
 */
export async function benchRun(opts: BenchOptions, io: BenchIO, env: RunEnv = {}): Promise<BenchOutcome> {
  let report: BenchReport;
  try {
    report = await runBench(opts, io, env);
  } catch (e) {
    const err = e as Error;
    io.err(`bench: ${err instanceof BenchError || err instanceof BenchFlagError ? "" : `${err?.name ?? "Error"}: `}${err?.message ?? String(e)}`);
    return { code: err instanceof BenchFlagError ? 2 : 1, error: err };
  }
  const wrong = report.rows.flatMap((r) => [r.outOfPlace, r.inPlace]).reduce((s, m) => s + (m?.wrong ?? 0), 0);
  return {
    code: wrong === 0 ? 0 : 1,
    report,
    json: opts.json === undefined ? undefined : jsonText(report),
    jsonPath: opts.json,
    ...(opts.trace !== undefined ? { trace: traceJson(report.traces ?? [], report.meta as unknown as Record<string, unknown>), tracePath: opts.trace } : {}),
  };
}
