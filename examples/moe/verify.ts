/**
 * Checks a distributed layer call against the single-rank computation (reference.ts), and its
 * bookkeeping against the routing recomputed here: the rows each expert received, the
 * major_align blocks (some experts empty, some padded), the combine's splits and offsets, and
 * the canaries each rank watched.
 */
import { type MoeConfig, numExperts } from "./config.ts";
import { alignedSpan } from "./expert-layout.ts";
import type { MoeRankResult } from "./moe-ranks.ts";
import { referenceLayer } from "./reference.ts";
import { dispatchOrder, route } from "./router.ts";
import { tokensOf } from "./weights.ts";

/** Largest |distributed − single-rank| allowed: float32 sums of 32–64 products of O(1) values. */
export const MOE_TOLERANCE = 1e-4;

/** What checkMoe found. */
export interface MoeCheck {
  /** Largest |output − reference| over every rank, token and column. */
  readonly maxError: number;
  /** Largest |reference|, for scale. */
  readonly maxReference: number;
  /** Experts (global) that received no tokens. */
  readonly emptyExperts: number[];
  /** Padding rows, summed over every expert block (empty experts' included). */
  readonly paddingRows: number;
  /** Experts with tokens whose block is padded (rows not a multiple of major_align). */
  readonly paddedExperts: number;
  /** Everything that was wrong; empty when verified. */
  readonly problems: string[];
  readonly verified: boolean;
}

/** Compares every rank's result with the single-rank layer and the recomputed routing. */
export function checkMoe(cfg: MoeConfig, results: readonly MoeRankResult[], tolerance = MOE_TOLERANCE): MoeCheck {
  const problems: string[] = [];
  const e = numExperts(cfg), w = cfg.worldSize, ne = cfg.expertsPerRank;
  if (results.length !== w) problems.push(`expected ${w} rank results, found ${results.length}`);
  const received = new Array<number>(e).fill(0);
  let maxError = 0, maxReference = 0;
  results.forEach((res, r) => {
    for (const p of res.problems) problems.push(`rank ${r}: ${p}`);
    const order = dispatchOrder(cfg, route(cfg, tokensOf(cfg, r)));
    order.inSplits.forEach((s, g) => (received[g] += s));
    if (res.inSplits.join() !== Array.from(order.inSplits).join()) problems.push(`rank ${r}: in_splits ${res.inSplits} differ from the router's`);
    const ref = referenceLayer(cfg, r);
    if (res.output.length !== ref.length) problems.push(`rank ${r}: output has ${res.output.length} values, expected ${ref.length}`);
    for (let i = 0; i < ref.length; i++) {
      const err = Math.abs(res.output[i] - ref[i]);
      if (!(err <= maxError)) maxError = Number.isNaN(err) ? NaN : Math.max(maxError, err);
      maxReference = Math.max(maxReference, Math.abs(ref[i]));
    }
    // The combine returns the rows in the order they left: splits = in_splits, packed offsets.
    const want = [...order.inSplits];
    let at = 0;
    for (const s of order.inSplits) {
      want.push(at);
      at += s;
    }
    if (res.combineSplitsOffsets.join() !== want.join()) {
      problems.push(`rank ${r}: combine out_splits_offsets [${res.combineSplitsOffsets}], expected [${want}]`);
    }
  });
  const emptyExperts: number[] = [];
  let paddingRows = 0, paddedExperts = 0;
  results.forEach((res, r) => {
    let start = 0;
    res.blocks.forEach((b, l) => {
      const g = r * ne + l, rows = received[g], span = alignedSpan(rows, cfg.majorAlign);
      if (b.rows !== rows || b.span !== span || b.start !== start) {
        problems.push(`rank ${r} expert ${l} (global ${g}): block of ${b.rows} rows spanning ${b.span} at ${b.start}, ` +
          `expected ${rows} rows spanning ${span} at ${start}`);
      }
      if (rows === 0) emptyExperts.push(g);
      else if (span > rows) paddedExperts++;
      paddingRows += span - rows;
      start += span;
    });
    if (res.blocks.length !== ne) problems.push(`rank ${r}: ${res.blocks.length} expert blocks, expected ${ne}`);
  });
  if (emptyExperts.length === 0) problems.push("no expert was empty: the router never leaves out expert 1 (config.ts), so the blocks are wrong");
  if (!(maxError <= tolerance)) problems.push(`max error ${maxError} above the tolerance ${tolerance}`);
  return { maxError, maxReference, emptyExperts, paddingRows, paddedExperts, problems, verified: problems.length === 0 };
}

/** The lines a run prints: a line per rank, then the error and "verified" or "NOT verified". */
export function describeMoe(cfg: MoeConfig, results: readonly MoeRankResult[], check: MoeCheck): string[] {
  const lines = results.map((res, r) =>
    `rank ${r}: experts ${res.blocks.map((b) => `${b.rows}/${b.span}`).join(" ")} rows/span, ` +
    `dispatch ${res.ms.dispatch.toFixed(1)} ms, experts (${res.ffn}) ${res.ms.experts.toFixed(1)} ms, combine ${res.ms.combine.toFixed(1)} ms`);
  lines.push(`empty experts ${check.emptyExperts.join(", ") || "none"}; ${check.paddingRows} padding rows (major_align ${cfg.majorAlign})`);
  for (const p of check.problems.slice(0, 20)) lines.push(`problem: ${p}`);
  lines.push(`max error ${check.maxError.toExponential(2)} vs the single-rank layer (max |y| ${check.maxReference.toFixed(3)}, tolerance ${MOE_TOLERANCE})`);
  lines.push(check.verified ? "verified" : "NOT verified");
  return lines;
}
