/**
 * The fused ops' text: the header comment's shape rule and variants, and the fusion table
 * (fused vs the unfused decomposition, and how much of the decomposition is communication).
 */
import type { BenchOptions } from "./flags.ts";
import { formatTime } from "./format.ts";
import type { BaselineResult, FusedBaselineName, RowResult } from "./report.ts";

/** Below this fused / unfused ratio the fusion pays (issue 12, T8). */
export const FUSION_PAYS = 0.9;
/** From this comm / unfused fraction on, a size counts for T8. */
export const COMM_FRACTION_MIN = 1 / 3;

/** The header comment's lines for the fused ops: the matmul's shape rule and what each baseline runs. */
export function fusedComment(o: Pick<BenchOptions, "op" | "ranks" | "hidden">): string[] {
  const k = o.hidden;
  if (o.op === "fused_all_gather_matmul") {
    return [
      `fused_all_gather_matmul: size = bytes of the gathered A [M, K]; K = N = ${k} (--hidden); each rank holds`,
      `  A [M/${o.ranks}, K] and its own B [K, N] and computes all of A_gathered @ B [M, N]; count = M/${o.ranks} x K`,
      "  baselines: unfused = symm_mem::multimem_all_gather_out(A, out = G) then webshmem::mm(G, B);",
      "  comm = the multimem_all_gather_out alone; matmul = webshmem::mm(G, B) alone",
    ];
  }
  return [
    `fused_matmul_reduce_scatter: size = bytes of each rank's A @ B [M, N]; K = N = ${k} (--hidden); each rank holds`,
    `  A [M, K] and its own B [K, N]; rank r gets rows [r M/${o.ranks}, (r+1) M/${o.ranks}) of the sum; count = M/${o.ranks} x N`,
    "  baselines: unfused = webshmem::mm(A, B) -> C then symm_mem::reduce_scatter_out(C, output);",
    "  comm = the reduce_scatter_out alone; matmul = webshmem::mm(A, B) alone",
  ];
}

const fmt = (us: number | undefined): string => (us === undefined ? "N/A" : formatTime(us).trim());
const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;
const fmtRatio = (x: number | undefined): string => (x === undefined ? "N/A" : x.toFixed(2));

/** One size's fused time, its baselines and the ratios T8 is about. */
export interface FusionRow {
  readonly size: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly fusedUs: number | undefined;
  readonly unfusedUs: number | undefined;
  readonly commUs: number | undefined;
  readonly matmulUs: number | undefined;
  /** fused / unfused. */
  readonly ratio: number | undefined;
  /** comm / unfused. */
  readonly commFraction: number | undefined;
}

/** The fusion rows of a run's fused rows (sizes without M rows are left out). */
export function fusionRows(rows: readonly RowResult[], baselines: readonly BaselineResult[]): FusionRow[] {
  const at = (name: FusedBaselineName, size: number) => baselines.find((b) => b.name === name && b.size === size)?.timeUs;
  return rows.filter((r) => r.mm !== undefined).map((r) => {
    const fusedUs = r.outOfPlace?.timeUs;
    const unfusedUs = at("unfused", r.size);
    const commUs = at("comm", r.size);
    return {
      size: r.size, m: r.mm!.m, k: r.mm!.k, n: r.mm!.n, fusedUs, unfusedUs, commUs, matmulUs: at("matmul", r.size),
      ratio: ratio(fusedUs, unfusedUs), commFraction: ratio(commUs, unfusedUs),
    };
  });
}

/** The fusion table: per size, fused vs unfused, and the comm fraction of the unfused step. */
export function fusionTable(rows: readonly RowResult[], baselines: readonly BaselineResult[]): string[] {
  const fr = fusionRows(rows, baselines);
  if (fr.length === 0 || fr.every((r) => r.unfusedUs === undefined)) return [];
  const lines = [
    `# Fusion, measured in this run: ratio = fused / unfused (the fusion pays at <= ${FUSION_PAYS}); comm frac = comm /`,
    "# unfused (the sizes T8 asks about have >= 0.33); comm + mm = (comm + matmul) / unfused (1: the decomposition costs",
    "# the sum of its steps; below 1: more than its steps). pays: yes / no / - (comm frac below 0.33: T8 does not ask).",
    ["#", "size".padStart(10), "M".padStart(8), "K".padStart(5), "N".padStart(5), "fused".padStart(10), "unfused".padStart(10),
      "ratio".padStart(6), "comm".padStart(10), "frac".padStart(6), "matmul".padStart(10), "comm+mm".padStart(8), "pays".padStart(5)].join(" "),
    ["#", "(B)".padStart(10), "".padStart(8), "".padStart(5), "".padStart(5), "(us)".padStart(10), "(us)".padStart(10), "".padStart(6),
      "(us)".padStart(10), "".padStart(6), "(us)".padStart(10)].join(" ").trimEnd(),
  ];
  for (const r of fr) {
    const sum = r.commUs !== undefined && r.matmulUs !== undefined ? ratio(r.commUs + r.matmulUs, r.unfusedUs) : undefined;
    const pays = r.ratio === undefined || r.commFraction === undefined ? "N/A"
      : r.commFraction < COMM_FRACTION_MIN ? "-" : r.ratio <= FUSION_PAYS ? "yes" : "no";
    lines.push([String(r.size).padStart(12), String(r.m).padStart(8), String(r.k).padStart(5), String(r.n).padStart(5),
      fmt(r.fusedUs).padStart(10), fmt(r.unfusedUs).padStart(10), fmtRatio(r.ratio).padStart(6), fmt(r.commUs).padStart(10),
      fmtRatio(r.commFraction).padStart(6), fmt(r.matmulUs).padStart(10), fmtRatio(sum).padStart(8), pays.padStart(5)].join(" "));
  }
  lines.push("#");
  return lines;
}
