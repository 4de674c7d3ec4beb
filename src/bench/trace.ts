/**
 * --trace FILE: every rank's steps of every timed iteration as spans on one clock, written in the
 * Trace Event Format (JSON object form) that Perfetto (ui.perfetto.dev) and chrome://tracing open:
 * one process per row and placement (and per baseline that records spans), one thread per rank.
 * `summarizeTrace` reads the same spans back as text: per step, when the ranks started and ended
 * it, relative to the first rank's start of the iteration (scripts/bench-trace.mjs prints it).
 */
import { median } from "./metrics.ts";

/** One step of one rank in one timed iteration; start and end in ms on the shared clock (wallMs). */
export interface TraceSpan {
  readonly name: string;
  readonly iter: number;
  readonly start: number;
  readonly end: number;
}

/** One row and placement (or baseline): its label, and each rank's spans. */
export interface RowTrace {
  readonly label: string;
  readonly ranks: readonly (readonly TraceSpan[])[];
}

/**
 * Milliseconds on a clock every worker of the run shares: the realm's time origin plus its
 * monotonic time (workers have time origins of their own; their sum is the wall clock, at the
 * timer resolution of a cross-origin-isolated realm).
 */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

interface TraceEvent {
  readonly name: string;
  readonly ph: "X" | "M";
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

/** The Trace Event Format text of `rows`: timestamps in µs from the run's first span. */
export function traceJson(rows: readonly RowTrace[], meta: Readonly<Record<string, unknown>> = {}): string {
  const all = rows.flatMap((r) => r.ranks.flat());
  const t0 = all.length === 0 ? 0 : Math.min(...all.map((s) => s.start));
  const events: TraceEvent[] = [];
  rows.forEach((row, pid) => {
    events.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name: row.label } });
    events.push({ name: "process_sort_index", ph: "M", pid, tid: 0, args: { sort_index: pid } });
    row.ranks.forEach((spans, tid) => {
      events.push({ name: "thread_name", ph: "M", pid, tid, args: { name: `rank ${tid}` } });
      for (const s of spans) {
        events.push({
          name: s.name, ph: "X", pid, tid, ts: round((s.start - t0) * 1000), dur: round((s.end - s.start) * 1000), args: { iter: s.iter },
        });
      }
    });
  });
  return `${JSON.stringify({ traceEvents: events, displayTimeUnit: "ms", otherData: meta })}\n`;
}

const round = (us: number) => Math.round(us * 10) / 10;

/** Per step: the median over iterations of the first and last rank's start and end, ms from the iteration's first start. */
export interface StepSpread {
  readonly name: string;
  readonly ranks: number;
  readonly firstStart: number;
  readonly lastStart: number;
  readonly firstEnd: number;
  readonly lastEnd: number;
}

export interface RowSpread {
  readonly label: string;
  readonly iterations: number;
  readonly steps: readonly StepSpread[];
}

/**
 * Reads back traceJson's spans (per row, rank, iteration) and summarises them: per iteration and
 * step, each rank's first start and last end of that step (a step entered several times in one
 * iteration counts from its first entry to its last exit), then the first and last rank of them;
 * then the medians over iterations. Steps in the order they first start.
 */
export function summarizeTrace(rows: readonly RowTrace[]): RowSpread[] {
  return rows.map((row) => {
    const iters = [...new Set(row.ranks.flatMap((spans) => spans.map((s) => s.iter)))].sort((a, b) => a - b);
    const per = new Map<string, { ranks: number; fs: number[]; ls: number[]; fe: number[]; le: number[] }>();
    for (const it of iters) {
      const inIter = row.ranks.map((spans) => spans.filter((s) => s.iter === it));
      const flat = inIter.flat();
      if (flat.length === 0) continue;
      const t0 = Math.min(...flat.map((s) => s.start));
      const names = [...new Set(flat.map((s) => s.name))];
      for (const name of names) {
        const byRank = inIter
          .map((spans) => spans.filter((s) => s.name === name))
          .filter((spans) => spans.length > 0)
          .map((spans) => ({ start: Math.min(...spans.map((s) => s.start)) - t0, end: Math.max(...spans.map((s) => s.end)) - t0 }));
        let e = per.get(name);
        if (e === undefined) per.set(name, (e = { ranks: 0, fs: [], ls: [], fe: [], le: [] }));
        e.ranks = Math.max(e.ranks, byRank.length);
        const starts = byRank.map((r) => r.start);
        const ends = byRank.map((r) => r.end);
        e.fs.push(Math.min(...starts));
        e.ls.push(Math.max(...starts));
        e.fe.push(Math.min(...ends));
        e.le.push(Math.max(...ends));
      }
    }
    const steps = [...per.entries()]
      .map(([name, e]) => ({
        name, ranks: e.ranks, firstStart: median(e.fs), lastStart: median(e.ls), firstEnd: median(e.fe), lastEnd: median(e.le),
      }))
      .sort((a, b) => a.firstStart - b.firstStart || a.firstEnd - b.firstEnd);
    return { label: row.label, iterations: iters.length, steps };
  });
}

/** traceJson's text back into rows (for summarizeTrace); throws on text that is not such a trace. */
export function parseTrace(text: string): RowTrace[] {
  const doc = JSON.parse(text) as { traceEvents?: TraceEvent[] };
  if (!Array.isArray(doc.traceEvents)) throw new Error("not a trace: no traceEvents array");
  const labels = new Map<number, string>();
  const spans = new Map<number, Map<number, TraceSpan[]>>();
  for (const e of doc.traceEvents) {
    if (e.ph === "M" && e.name === "process_name") labels.set(e.pid, String(e.args?.name ?? `process ${e.pid}`));
    if (e.ph !== "X" || e.ts === undefined || e.dur === undefined) continue;
    let byTid = spans.get(e.pid);
    if (byTid === undefined) spans.set(e.pid, (byTid = new Map()));
    let list = byTid.get(e.tid);
    if (list === undefined) byTid.set(e.tid, (list = []));
    list.push({ name: e.name, iter: Number(e.args?.iter ?? 0), start: e.ts / 1000, end: (e.ts + e.dur) / 1000 });
  }
  return [...new Set([...labels.keys(), ...spans.keys()])].sort((a, b) => a - b).map((pid) => {
    const byTid = spans.get(pid) ?? new Map<number, TraceSpan[]>();
    const n = byTid.size === 0 ? 0 : Math.max(...byTid.keys()) + 1;
    return { label: labels.get(pid) ?? `process ${pid}`, ranks: Array.from({ length: n }, (_, t) => byTid.get(t) ?? []) };
  });
}

/** summarizeTrace as text lines: one block per row, one line per step, ms. */
export function spreadLines(spreads: readonly RowSpread[]): string[] {
  const f = (x: number) => x.toFixed(2).padStart(8);
  const lines: string[] = [];
  for (const r of spreads) {
    lines.push(`# ${r.label} (${r.iterations} iterations; ms from the iteration's first start, medians over iterations)`);
    lines.push(`#   ${"step".padEnd(14)} ranks  start: first     last   end: first     last`);
    for (const s of r.steps) {
      lines.push(`    ${s.name.padEnd(14)} ${String(s.ranks).padStart(5)}  ${f(s.firstStart)} ${f(s.lastStart)}  ${f(s.firstEnd)} ${f(s.lastEnd)}`);
    }
  }
  return lines;
}

/** Slack at an iteration's edges for spans rounded to 0.1 µs in the file (ms). */
const EDGE_MS = 0.001;

/** The tail of one row's iterations: how much of the mean is a few slow ones, and where they waited. */
export interface RowStalls {
  readonly label: string;
  /** Rank-iterations (every rank's "iteration" span). */
  readonly count: number;
  readonly medianUs: number;
  readonly meanUs: number;
  readonly p99Us: number;
  /** Rank-iterations longer than `overUs`, and their share of all iteration time (0..1). */
  readonly over: readonly { readonly overUs: number; readonly count: number; readonly share: number }[];
  /** In the rank-iterations over the largest threshold: µs per step, summed, largest first. */
  readonly slowSteps: readonly { readonly name: string; readonly us: number }[];
}

/**
 * Per row: the distribution of the ranks' "iteration" spans and the rank-iterations over each of
 * `thresholdsUs` (ascending), with the steps the slowest of them spent their time in. A mean far
 * above the median is a tail; this says how many iterations make it and what they waited in.
 */
export function stallSummary(rows: readonly RowTrace[], thresholdsUs: readonly number[] = [100, 1000]): RowStalls[] {
  const worst = thresholdsUs.length === 0 ? Infinity : Math.max(...thresholdsUs);
  return rows.flatMap((row) => {
    const its: number[] = [];
    const slow = new Map<string, number>();
    for (const spans of row.ranks) {
      const stalled = new Map<number, TraceSpan>();
      for (const s of spans) {
        if (s.name !== "iteration") continue;
        const us = (s.end - s.start) * 1000;
        its.push(us);
        if (us > worst) stalled.set(s.iter, s);
      }
      for (const s of spans) {
        const it = stalled.get(s.iter);
        // Only the steps inside the timed iteration (the benchmark's barrier before it is not).
        if (s.name === "iteration" || it === undefined || s.start < it.start - EDGE_MS || s.end > it.end + EDGE_MS) continue;
        slow.set(s.name, (slow.get(s.name) ?? 0) + (s.end - s.start) * 1000);
      }
    }
    if (its.length === 0) return [];
    const sorted = [...its].sort((a, b) => a - b);
    const total = its.reduce((a, b) => a + b, 0);
    return [{
      label: row.label,
      count: its.length,
      medianUs: median(its),
      meanUs: total / its.length,
      p99Us: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * (sorted.length - 1)))],
      over: thresholdsUs.map((overUs) => {
        const above = its.filter((us) => us > overUs);
        return { overUs, count: above.length, share: total === 0 ? 0 : above.reduce((a, b) => a + b, 0) / total };
      }),
      slowSteps: [...slow].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us),
    }];
  });
}

/** stallSummary as text lines, one per row. */
export function stallLines(stalls: readonly RowStalls[]): string[] {
  return stalls.map((s) => {
    const over = s.over.map((o) => `${o.count} over ${o.overUs} µs (${(100 * o.share).toFixed(0)} % of the time)`).join(", ");
    const steps = s.slowSteps.length === 0 ? "" : `; those over ${s.over.at(-1)?.overUs} µs spent it in ` +
      s.slowSteps.map((x) => `${x.name} ${Math.round(x.us)} µs`).join(", ");
    return `# ${s.label}: ${s.count} rank-iterations, median ${s.medianUs.toFixed(1)} µs, mean ${s.meanUs.toFixed(1)}, ` +
      `p99 ${s.p99Us.toFixed(1)}; ${over}${steps}`;
  });
}
