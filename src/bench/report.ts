/**
 * What a run measured, and its JSON form (`--json FILE`), exactly:
 * { meta: { runtime, backend, ranks, adapter, date, version[, settings] },
 *   rows: [ { op, algo, size, count, dtype, redop, inplace, time_us, algbw, busbw, wrong[, median_us] } ],
 *   baselines: [ { name, size, time_us } ] }
 * `time_us` is the slowest rank's mean per iteration; `median_us` (present for the collectives'
 * rows) the largest of the ranks' median iterations. Placements that are N/A have no row; baselines that are N/A have no entry; `wrong` is null
 * when the run did not check (-c 0). Rows of all_to_all_vdev_2d also have `experts` and
 * `recv_bytes` (what each rank received, by rank; each sent `size`) after `wrong`. Rows of the fused
 * ops (fused_all_gather_matmul, fused_matmul_reduce_scatter) also have the matmul's `m`, `k`, `n`
 * after `wrong`, and their runs add the baselines `unfused` (the decomposition), `comm` (its
 * collective alone) and `matmul` (its matmul alone), per size.
 */
import { type CollectiveDType, itemsize } from "../internal.ts";
import type { BenchOp } from "./flags.ts";
import type { MatmulShape } from "./sizes.ts";
import { receivedTotal, type SplitPlan } from "./splits.ts";
import type { RowTrace } from "./trace.ts";

export type BaselineName = "staging_floor" | "gpu_roundtrip" | "naive_postmessage" | "heap_memcpy" | FusedBaselineName;
/** The baselines every op's baselines table has a column for. */
export const BASELINE_NAMES: readonly BaselineName[] = ["staging_floor", "gpu_roundtrip", "naive_postmessage", "heap_memcpy"];
/**
 * The fused ops' own baselines (their table, print-fused.ts): the unfused decomposition, its
 * collective alone, its matmul alone.
 */
export type FusedBaselineName = "unfused" | "comm" | "matmul";
export const FUSED_BASELINE_NAMES: readonly FusedBaselineName[] = ["unfused", "comm", "matmul"];

/** The time each step took per iteration (µs, the slowest rank's), for --breakdown. */
export type StepTimes = Readonly<Record<string, number>>;

/** One placement (out-of-place or in-place) of one size. */
export interface Measured {
  /** The op called, e.g. "symm_mem::two_shot_all_reduce_out". */
  readonly opName: string;
  /** The slowest rank's mean time per iteration, µs. */
  readonly timeUs: number;
  /** The largest of the ranks' median iteration times, µs (absent where not measured per iteration). */
  readonly medianUs?: number;
  readonly algbw: number;
  readonly busbw: number;
  /** Wrong elements over every rank and every iteration; null when not checked. */
  readonly wrong: number | null;
  /** The slowest rank's steps, with --breakdown. */
  readonly steps?: StepTimes;
}

export interface RowResult {
  readonly op: BenchOp;
  /** The algorithm that ran (auto resolved through the tuning table); "default" for ops with one. */
  readonly algo: string;
  readonly size: number;
  readonly count: number;
  readonly dtype: CollectiveDType;
  /** "none" for ops that do not reduce. */
  readonly redop: string;
  readonly root: number;
  readonly outOfPlace: Measured | null;
  readonly inPlace: Measured | null;
  /** all_to_all_vdev_2d: the row's splits. */
  readonly splits?: SplitPlan;
  /** The fused ops: the matmul's shape. */
  readonly mm?: MatmulShape;
}

export interface BaselineResult {
  readonly name: BaselineName;
  readonly size: number;
  readonly timeUs: number;
}

export interface BenchMeta {
  readonly runtime: string;
  readonly backend: string;
  readonly ranks: number;
  readonly adapter: string;
  readonly date: string;
  readonly version: string;
  /** What the heap slabs were (`world.wasmHeap`); absent in reports from before it was recorded. */
  readonly heap?: HeapKind;
  /** Op settings the run gave every rank (`rank.configure`), by op name; absent when none. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The heap slabs of a run: shared WebAssembly memories (read in place) or plain SharedArrayBuffers. */
export type HeapKind = "wasm_memory" | "shared_array_buffer";

export interface BenchReport {
  readonly meta: BenchMeta;
  readonly rows: readonly RowResult[];
  readonly baselines: readonly BaselineResult[];
  /** With --trace: every measured placement's and the naive baseline's spans (written by --trace, not in the JSON). */
  readonly traces?: readonly RowTrace[];
}

export interface JsonRow {
  op: string; algo: string; size: number; count: number; dtype: string; redop: string; inplace: boolean;
  time_us: number; algbw: number; busbw: number; wrong: number | null;
  /** The largest of the ranks' median iteration times (time_us is the slowest rank's mean). */
  median_us?: number;
  /** all_to_all_vdev_2d only: experts per rank, and the bytes each rank received. */
  experts?: number; recv_bytes?: number[];
  /** The fused ops only: the matmul's M, K, N. */
  m?: number; k?: number; n?: number;
}

export interface JsonReport {
  meta: {
    runtime: string; backend: string; ranks: number; adapter: string; date: string; version: string;
    heap?: HeapKind;
    settings?: Record<string, Record<string, number>>;
  };
  rows: JsonRow[];
  baselines: { name: BaselineName; size: number; time_us: number }[];
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const significant = (x: number): number => Number(x.toPrecision(6));

function splitFields(plan: SplitPlan, elem: number): Pick<JsonRow, "experts" | "recv_bytes"> {
  return { experts: plan.experts, recv_bytes: Array.from({ length: plan.ranks }, (_, r) => receivedTotal(plan, r) * elem) };
}

export function toJson(report: BenchReport): JsonReport {
  const { runtime, backend, ranks, adapter, date, version, heap, settings } = report.meta;
  const rows: JsonRow[] = [];
  for (const r of report.rows) {
    for (const [inplace, m] of [[false, r.outOfPlace], [true, r.inPlace]] as const) {
      if (m === null) continue;
      rows.push({
        op: r.op, algo: r.algo, size: r.size, count: r.count, dtype: r.dtype, redop: r.redop, inplace,
        time_us: round(m.timeUs, 3), algbw: significant(m.algbw), busbw: significant(m.busbw), wrong: m.wrong,
        ...(m.medianUs !== undefined ? { median_us: round(m.medianUs, 3) } : {}),
        ...(r.splits !== undefined ? splitFields(r.splits, itemsize(r.dtype)) : {}),
        ...(r.mm !== undefined ? { m: r.mm.m, k: r.mm.k, n: r.mm.n } : {}),
      });
    }
  }
  return {
    meta: { runtime, backend, ranks, adapter, date, version, ...(heap !== undefined ? { heap } : {}), ...(settings !== undefined ? { settings: structuredClone(settings) as Record<string, Record<string, number>> } : {}) },
    rows,
    baselines: report.baselines.map((b) => ({ name: b.name, size: b.size, time_us: round(b.timeUs, 3) })),
  };
}

export function jsonText(report: BenchReport): string {
  return `${JSON.stringify(toJson(report), null, 2)}\n`;
}
