/**
 * The Benchmark panel's chart, drawn with uPlot: bus bandwidth (GB/s, log) against message size
 * (bytes, log2), one line per algorithm (the faster of its placements at each size, as the
 * baselines table compares), and the run's baselines as dashed lines, each converted to the
 * bandwidth the op would have if it took exactly the baseline's time (as `npm run bench:chart`
 * draws them). With one rank the bus factor is 0, so the chart falls back to algbw.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { BenchOp } from "../../src/bench/flags.ts";
import { formatBytes } from "../../src/bench/format.ts";
import { bandwidth } from "../../src/bench/metrics.ts";
import type { BaselineResult, Measured, RowResult } from "../../src/bench/report.ts";

// The palette and baseline dashes of scripts/bench-chart.mjs (Tableau 10), so both charts read alike.
export const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];
const BASELINE_STYLE: Record<string, { stroke: string; dash: number[] }> = {
  staging_floor: { stroke: "#3b3b3b", dash: [9, 4] },
  heap_memcpy: { stroke: "#7a7a7a", dash: [3, 3] },
  naive_postmessage: { stroke: "#8c6d31", dash: [12, 3, 3, 3] },
  gpu_roundtrip: { stroke: "#9a9a9a", dash: [2, 4] },
};

export interface ChartInput {
  readonly op: BenchOp;
  readonly ranks: number;
  readonly rows: readonly RowResult[];
  readonly baselines: readonly BaselineResult[];
}

export interface ChartData {
  /** "busbw", or "algbw" on one rank (where busbw is 0 by definition). */
  readonly metric: "busbw" | "algbw";
  readonly sizes: number[];
  readonly series: { label: string; kind: "algo" | "baseline"; name: string; values: (number | null)[] }[];
}

const positive = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) && x > 0 ? x : null);

/** The chart's data from a run's rows and baselines (pure: the e2e test and the page share it). */
export function chartData({ op, ranks, rows, baselines }: ChartInput): ChartData {
  const metric = ranks > 1 || op === "broadcast" ? "busbw" : "algbw";
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const rowAt = new Map(rows.map((r) => [r.size, r]));
  const algos = [...new Set(rows.map((r) => r.algo))];
  const best = (r: RowResult): Measured | undefined =>
    [r.outOfPlace, r.inPlace].filter((m): m is Measured => m !== null).sort((a, b) => a.timeUs - b.timeUs)[0];
  const series: ChartData["series"] = algos.map((algo) => ({
    label: algo === "default" ? op : algo,
    kind: "algo",
    name: algo,
    values: sizes.map((s) => {
      const r = rowAt.get(s);
      return r?.algo === algo ? positive(best(r)?.[metric]) : null;
    }),
  }));
  const names = [...new Set(baselines.map((b) => b.name))];
  for (const name of names) {
    const measured = baselines.filter((b) => b.name === name);
    const constant = measured.length === 1 && name === "gpu_roundtrip" ? measured[0] : undefined;
    const values = sizes.map((s) => {
      const b = constant ?? measured.find((x) => x.size === s);
      const r = rowAt.get(s);
      return b === undefined || r === undefined ? null : positive(bandwidth(op, r.count, ranks, r.dtype, b.timeUs)[metric]);
    });
    const label = constant ? `${name} (${formatDuration(constant.timeUs)} at every size)` : name;
    series.push({ label, kind: "baseline", name, values });
  }
  return { metric, sizes, series };
}

/** "469 µs", "2.11 ms". */
export function formatDuration(us: number): string {
  return us >= 1000 ? `${+(us / 1000).toPrecision(3)} ms` : `${+us.toPrecision(3)} µs`;
}

/** Log-scale ticks at powers of ten only (uPlot would put one at every mantissa 1-9). */
const decadesOnly = (_u: uPlot, splits: number[]) =>
  splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6 ? v : null));

/** Draws (or redraws) the chart into `root`; returns the uPlot instance. */
export function drawChart(root: HTMLElement, input: ChartInput, previous?: uPlot): uPlot | undefined {
  previous?.destroy();
  root.replaceChildren();
  const data = chartData(input);
  if (data.sizes.length === 0) return undefined;
  root.dataset.series = data.series.filter((s) => s.kind === "algo").map((s) => s.name).join(",");
  root.dataset.baselines = data.series.filter((s) => s.kind === "baseline").map((s) => s.name).join(",");
  let colour = 0;
  const opts: uPlot.Options = {
    width: Math.max(320, root.clientWidth || 800),
    height: 320,
    title: `${input.op} ${data.metric} against message size, ${input.ranks} rank${input.ranks === 1 ? "" : "s"}`,
    scales: {
      // A third of an octave of room either side, so the end points' markers show whole.
      x: { time: false, distr: 3, log: 2, range: (_u, min, max) => [min / 1.26, max * 1.26] },
      y: { distr: 3, log: 10 },
    },
    axes: [
      {
        label: "message size per rank (bytes, log scale)",
        grid: { stroke: "#eeeeee", width: 1 },
        values: (_u, splits) => splits.map((v) => (v == null ? "" : formatBytes(Math.round(v)).replace(" ", "\u202f"))),
      },
      {
        label: `${data.metric} (GB/s, log scale)`,
        size: 70,
        filter: decadesOnly,
        grid: { filter: decadesOnly, stroke: "#e6e6e6", width: 1 },
        ticks: { stroke: "#bbb", width: 1, size: 4 },
        values: (_u, splits) => splits.map((v) => (v == null ? "" : v >= 1 ? String(+v.toPrecision(3)) : String(+v.toPrecision(2)))),
      },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: "size", value: (_u, v) => (v == null ? "–" : formatBytes(v)) },
      ...data.series.map((s): uPlot.Series => {
        const fmt = (_u: uPlot, v: number | null) => (v == null ? "–" : `${+v.toPrecision(3)} GB/s`);
        if (s.kind === "algo") {
          const stroke = PALETTE[colour++ % PALETTE.length];
          return { label: s.label, stroke, width: 2, points: { show: true, size: 7, fill: stroke }, value: fmt, spanGaps: false };
        }
        const st = BASELINE_STYLE[s.name] ?? { stroke: "#666", dash: [6, 3] };
        return { label: `${s.label}, as ${data.metric}`, stroke: st.stroke, dash: st.dash, width: 1.5, points: { show: false }, value: fmt };
      }),
    ],
  };
  return new uPlot(opts, [data.sizes, ...data.series.map((s) => s.values)] as uPlot.AlignedData, root);
}
