/**
 * Checks a distributed run against the single-rank float64 MLP (reference.ts): every mode's
 * output, element by element, within the float32 error bound of that element; the planned step's
 * output bit for bit the eager one's; and the realizations each mode made per step (eager: one per
 * registered symm-mem argument of its two collectives, 4; planned on replay and fused: 0). Also
 * the table the example prints.
 */
import type { MlpConfig } from "./config.ts";
import { MLP_MODES, type MlpMode, type MlpRankResult } from "./mlp-ranks.ts";
import { type MlpReference, referenceMlp, rowsOf } from "./reference.ts";

/** Realizations per step each mode must make: eager realizes multimem_all_gather_out's input and out and reduce_scatter_out's input and output. */
export const EXPECTED_REALIZATIONS: Readonly<Record<MlpMode, number>> = { eager: 4, planned: 0, fused: 0 };

/** One mode over every rank. */
export interface MlpModeCheck {
  readonly mode: MlpMode;
  /** Largest |output − reference| over every rank and element. */
  readonly maxError: number;
  /** Largest error bound (the tolerance of the element with the largest bound). */
  readonly maxBound: number;
  /** Elements whose error is above their bound (or NaN). */
  readonly outside: number;
  /** Realizations per step, the largest over the ranks. */
  readonly realizationsPerStep: number;
  /** Heap bytes, the largest over the ranks. */
  readonly heapBytes: number;
  /** The slowest rank's ms per step in each round. */
  readonly msPerRound: number[];
}

/** What checkMlp found. */
export interface MlpCheck {
  readonly modes: MlpModeCheck[];
  /** Largest |reference|, for scale. */
  readonly maxReference: number;
  /** Everything that was wrong; empty when verified. */
  readonly problems: string[];
  readonly verified: boolean;
}

/** Compares every rank's result with the single-rank MLP (`reference`: computed here unless given). */
export function checkMlp(cfg: MlpConfig, results: readonly MlpRankResult[], reference: MlpReference = referenceMlp(cfg)): MlpCheck {
  const problems: string[] = [];
  if (results.length !== cfg.worldSize) problems.push(`expected ${cfg.worldSize} rank results, found ${results.length}`);
  const maxReference = reference.y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const present = MLP_MODES.filter((m) => results[0]?.modes.some((x) => x.mode === m));
  const modes = present.map((mode): MlpModeCheck => {
    let maxError = 0, maxBound = 0, outside = 0, realizations = 0, heapBytes = 0;
    const msPerRound: number[] = [];
    results.forEach((res, r) => {
      const m = res.modes.find((x) => x.mode === mode);
      if (m === undefined) return void problems.push(`rank ${r}: no ${mode} result`);
      const want = rowsOf(cfg, reference.y, r), bound = rowsOf(cfg, reference.bound, r);
      if (m.output.length !== want.length) problems.push(`rank ${r} ${mode}: output has ${m.output.length} values, expected ${want.length}`);
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(m.output[i] - want[i]);
        if (Number.isNaN(err) || err > bound[i]) outside++;
        maxError = Number.isNaN(err) || Number.isNaN(maxError) ? NaN : Math.max(maxError, err);
        maxBound = Math.max(maxBound, bound[i]);
      }
      realizations = Math.max(realizations, m.realizationsPerStep);
      heapBytes = Math.max(heapBytes, m.heapBytes);
      m.msPerStep.forEach((v, k) => (msPerRound[k] = Math.max(msPerRound[k] ?? 0, v)));
      if (m.realizationsPerStep !== EXPECTED_REALIZATIONS[mode]) {
        problems.push(`rank ${r} ${mode}: ${m.realizationsPerStep} realizations per step, expected ${EXPECTED_REALIZATIONS[mode]}`);
      }
    });
    if (outside > 0) problems.push(`${mode}: ${outside} elements off the single-rank MLP by more than their float32 bound (max error ${maxError})`);
    return { mode, maxError, maxBound, outside, realizationsPerStep: realizations, heapBytes, msPerRound };
  });
  if (present.includes("eager") && present.includes("planned")) {
    results.forEach((res, r) => {
      const e = res.modes.find((x) => x.mode === "eager")!.output, p = res.modes.find((x) => x.mode === "planned")!.output;
      const eb = new Uint32Array(e.buffer, e.byteOffset, e.length), pb = new Uint32Array(p.buffer, p.byteOffset, p.length);
      const differ = eb.length !== pb.length ? Math.max(eb.length, pb.length) : eb.filter((b, i) => b !== pb[i]).length;
      if (differ > 0) problems.push(`rank ${r}: the planned output differs from the eager one in ${differ} of ${e.length} elements (bit for bit)`);
    });
  }
  return { modes, maxReference, problems, verified: problems.length === 0 };
}

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The lines a run prints: a table (mode, realizations/step, heap bytes, ms/step, max error), problems, then "verified" or "NOT verified". */
export function describeMlp(check: MlpCheck): string[] {
  const head = ["mode", "realizations/step", "heap bytes", "ms/step", "max error", "max bound"];
  const rows = check.modes.map((m) => [
    m.mode, String(m.realizationsPerStep), String(m.heapBytes), median(m.msPerRound).toFixed(2),
    m.maxError.toExponential(2), m.maxBound.toExponential(2),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ");
  const lines = [line(head), ...rows.map(line)];
  for (const p of check.problems.slice(0, 20)) lines.push(`problem: ${p}`);
  lines.push(`max |y| ${check.maxReference.toFixed(3)}; tolerance: each element's float32 error bound (examples/tp-mlp/reference.ts)`);
  lines.push(check.verified ? "verified" : "NOT verified");
  return lines;
}
