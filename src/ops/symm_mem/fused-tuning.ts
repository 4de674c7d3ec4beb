/**
 * When the fused async-TP ops split their matmul in two stages (the part that needs no exchange
 * overlapped with the exchange, the rest after it) and when they run it as one job.
 *
 * On webgpu every matmul job is an upload, a dispatch and (for a heap result) a readback, and
 * each costs a fixed time: on Deno a readback resolves only at the device's next poll (~10 ms),
 * in Chromium a `writeBuffer` or dispatch costs milliseconds (the devices share one GPU process).
 * Splitting pays when the matmul that runs during the exchange is worth more than that. Measured on
 * the 2-core machine, float32, fused / unfused of the same run (`npm run bench -- --op fused_*`,
 * BENCHMARKS.md, T8; docs/bench/results/fused-2026-12-03/):
 *
 * - one stage vs two at 2^18 multiply-adds per rank (M = 64, K = N = 64), matmul_reduce_scatter:
 *   Deno 0.71 vs 0.81 (2 ranks), 0.75 vs 1.00 (4); Chromium 0.84 vs 1.36, 1.09 vs 1.51;
 * - at 2^19 (M = 32, K = N = 128, 2 ranks): all_gather_matmul Deno 1.01 vs 1.02, Chromium 0.97 vs
 *   1.78; matmul_reduce_scatter Deno 0.77 vs 1.03, Chromium 1.00 vs 1.42;
 * - at 2^20 and above (M = 256, K = N = 64) two stages: all_gather_matmul Deno 0.83 (2 ranks),
 *   matmul_reduce_scatter Deno 0.77 / 0.81 (2 / 4 ranks), Chromium 0.88 / 0.90; one stage there:
 *   matmul_reduce_scatter Deno 0.79 / 0.85, Chromium 0.97 / 1.02.
 *
 * So two stages from 2^20 multiply-adds per rank. (In Chromium, where a readback costs 1–4 ms,
 * all_gather_matmul gains nothing from its split at any size: 1.03–1.23 at 2^20–2^22; the rule
 * does not know the runtime.) On cpu the stages change only the order of the loops.
 */

import { OpError } from "../../core/errors.ts";

/** Two stages from this many multiply-adds per rank on (the whole A @ B of one rank, every B). */
export const TWO_STAGE_MIN_MACS = 1 << 20;

/**
 * The fused ops' setting, `rank.configure("symm_mem::fused_all_gather_matmul", { stages: 2 })`
 * (and for `symm_mem::fused_matmul_reduce_scatter`): `stages` 1 or 2 forces that many stages;
 * without it the size decides (TWO_STAGE_MIN_MACS). Every rank of a group must use the same
 * settings (they are part of the call's agreement). The results are the same either way.
 */
export interface FusedTuning {
  readonly stages?: 1 | 2;
}

/** Whether a rank's matmul of `macs` multiply-adds runs in two stages, with `settings` (rank.configure) over the rule. */
export function twoStages(op: string, macs: number, settings: Readonly<Record<string, unknown>> | undefined): boolean {
  if (settings !== undefined) {
    for (const k of Object.keys(settings)) {
      if (k !== "stages") throw new OpError(`${op}: unknown setting "${k}": expected stages`);
    }
    const stages = settings.stages;
    if (stages !== undefined && stages !== 1 && stages !== 2) {
      throw new OpError(`${op}: setting stages must be 1 or 2, found ${JSON.stringify(stages)}`);
    }
    if (stages !== undefined) return stages === 2;
  }
  return macs >= TWO_STAGE_MIN_MACS;
}
