/**
 * T7's report (issue 12): the tensor-parallel MLP's planned replay against its eager step, size by
 * size, from checkMlp's per-round times (every mode timed in the same rounds, interleaved). Pure
 * functions, so bench/tp-mlp.ts prints and writes what a Node test can check.
 *
 * JSON, the benchmark's schema extended compatibly (src/bench/report.ts): `rows` one per size and
 * mode (op "tp_mlp", mode, tokens, hidden, ffn, size = the bytes of the gathered x, time_us,
 * realizations per step, heap_bytes, ratio = time / eager's), `baselines` the eager step per size
 * (name "eager"), `meta` as the benchmark's.
 */
import type { MlpConfig } from "./config.ts";
import type { MlpMode } from "./mlp-ranks.ts";
import { median, type MlpCheck } from "./verify.ts";

/** T7: planned ≤ this × eager on the cpu backend where the copies matter. */
export const T7_CPU_RATIO = 0.8;
/** T7 on webgpu: never slower than eager: planned / eager ≤ 1 + the eager step's own noise at that size. */
export const T7_WEBGPU_RATIO = 1;

/** One size of the sweep, as measured. */
export interface MlpBenchSize {
  readonly cfg: MlpConfig;
  readonly check: MlpCheck;
}

/** Bytes the eager step copies per rank and step: every realization in and every copy back out. */
export function eagerCopyBytes(cfg: MlpConfig): number {
  const shard = (cfg.tokens / cfg.worldSize) * cfg.hidden * 4, full = cfg.tokens * cfg.hidden * 4;
  // x in; the gathered x in and back; the partials in and back; y in and back.
  return shard + 2 * full + 2 * full + 2 * shard;
}

/** Multiply-adds per rank and step (both matmuls). */
export function stepMacs(cfg: MlpConfig): number {
  return 2 * cfg.tokens * cfg.hidden * (cfg.ffn / cfg.worldSize);
}

/** One row of the T7 table. */
export interface MlpBenchRow {
  readonly tokens: number;
  readonly hidden: number;
  readonly ffn: number;
  /** Multiply-adds per byte eager copies: low, the copies matter. */
  readonly macsPerCopiedByte: number;
  /** Median over rounds of the slowest rank's ms per step, per mode. */
  readonly ms: Partial<Record<MlpMode, number>>;
  /** Realizations per step, per mode. */
  readonly realizations: Partial<Record<MlpMode, number>>;
  readonly heapBytes: Partial<Record<MlpMode, number>>;
  /** planned / eager, and fused / eager. */
  readonly planned: number | undefined;
  readonly fused: number | undefined;
  /** The eager step's own round-to-round noise: the median absolute deviation of its rounds over their median. */
  readonly eagerNoise: number;
  readonly verified: boolean;
}

export function benchRow(s: MlpBenchSize): MlpBenchRow {
  const ms: Partial<Record<MlpMode, number>> = {}, rounds: number[] = [], realizations: Partial<Record<MlpMode, number>> = {};
  const heapBytes: Partial<Record<MlpMode, number>> = {};
  for (const m of s.check.modes) {
    ms[m.mode] = median(m.msPerRound);
    realizations[m.mode] = m.realizationsPerStep;
    heapBytes[m.mode] = m.heapBytes;
    if (m.mode === "eager") rounds.push(...m.msPerRound);
  }
  const mid = median(rounds);
  const eagerNoise = rounds.length > 1 && mid > 0 ? median(rounds.map((v) => Math.abs(v - mid))) / mid : 0;
  const over = (m: MlpMode) => (ms[m] !== undefined && ms.eager !== undefined && ms.eager > 0 ? ms[m]! / ms.eager : undefined);
  return {
    tokens: s.cfg.tokens, hidden: s.cfg.hidden, ffn: s.cfg.ffn, macsPerCopiedByte: stepMacs(s.cfg) / eagerCopyBytes(s.cfg),
    ms, realizations, heapBytes, planned: over("planned"), fused: over("fused"), eagerNoise, verified: s.check.verified,
  };
}

const f2 = (x: number | undefined) => (x === undefined ? "N/A" : x.toFixed(2));

/** The table: one line per size; planned / eager is T7's ratio. */
export function benchTable(rows: readonly MlpBenchRow[]): string[] {
  const head = ["tokens", "hidden", "ffn", "MAC/B", "eager ms", "planned ms", "fused ms", "planned/eager", "fused/eager", "eager noise",
    "realizations e/p/f", "heap B (planned)", "verified"];
  const cells = rows.map((r) => [
    String(r.tokens), String(r.hidden), String(r.ffn), r.macsPerCopiedByte.toFixed(2), f2(r.ms.eager), f2(r.ms.planned), f2(r.ms.fused),
    f2(r.planned), f2(r.fused), `${(r.eagerNoise * 100).toFixed(1)}%`, `${r.realizations.eager ?? "-"}/${r.realizations.planned ?? "-"}/${r.realizations.fused ?? "-"}`,
    String(r.heapBytes.planned ?? "N/A"), r.verified ? "yes" : "NO",
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(width[i])).join("  ");
  return [line(head), ...cells.map(line)];
}

/**
 * T7's verdict for one backend: planned realizes nothing at every size, every size verified, and
 * planned / eager ≤ 0.8 (cpu) at every size where the copies matter (MAC/B ≤ `copyBound`), or ≤ 1
 * plus the eager step's own round-to-round noise at every size (webgpu: not slower than eager
 * beyond what eager differs from itself).
 */
export function t7Verdict(backend: "cpu" | "webgpu", rows: readonly MlpBenchRow[], copyBound = 1): { met: boolean; lines: string[] } {
  const lines: string[] = [];
  let met = rows.length > 0;
  for (const r of rows) {
    const at = `${r.tokens} × ${r.hidden}, ffn ${r.ffn}`;
    if (!r.verified) (met = false, lines.push(`${at}: not verified`));
    if (r.realizations.planned !== 0) (met = false, lines.push(`${at}: planned made ${r.realizations.planned} realizations per step`));
    const limit = backend === "cpu" ? (r.macsPerCopiedByte <= copyBound ? T7_CPU_RATIO : undefined) : T7_WEBGPU_RATIO + r.eagerNoise;
    if (limit !== undefined && !(r.planned !== undefined && r.planned <= limit)) {
      met = false;
      lines.push(`${at}: planned / eager ${r.planned?.toFixed(3) ?? "N/A"}, above ${limit.toFixed(3)}`);
    }
  }
  const rule = backend === "cpu"
    ? `planned / eager <= ${T7_CPU_RATIO} where MAC/B <= ${copyBound} (the copies matter), 0 realizations everywhere`
    : `planned / eager <= ${T7_WEBGPU_RATIO} + eager's own noise (its rounds' median absolute deviation) at every size, 0 realizations everywhere`;
  lines.unshift(`T7 (${backend}): ${met ? "met" : "NOT met"}: ${rule}`);
  return { met, lines };
}

/** The JSON: rows per size and mode, eager as the baseline, meta. */
export function benchJson(rows: readonly MlpBenchRow[], meta: Record<string, unknown>): {
  rows: Record<string, unknown>[]; baselines: Record<string, unknown>[]; meta: Record<string, unknown>;
} {
  const size = (r: MlpBenchRow) => r.tokens * r.hidden * 4;
  const out: Record<string, unknown>[] = [];
  for (const r of rows) {
    for (const mode of ["eager", "planned", "fused"] as const) {
      if (r.ms[mode] === undefined) continue;
      out.push({
        op: "tp_mlp", mode, tokens: r.tokens, hidden: r.hidden, ffn: r.ffn, size: size(r),
        time_us: Math.round(r.ms[mode]! * 1000), realizations: r.realizations[mode], heap_bytes: r.heapBytes[mode],
        ratio: r.ms.eager !== undefined && r.ms.eager > 0 ? Number((r.ms[mode]! / r.ms.eager).toFixed(4)) : null,
        verified: r.verified,
      });
    }
  }
  const baselines = rows.filter((r) => r.ms.eager !== undefined)
    .map((r) => ({ name: "eager", size: size(r), time_us: Math.round(r.ms.eager! * 1000) }));
  return { rows: out, baselines, meta };
}
