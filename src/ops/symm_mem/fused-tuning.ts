/**
 * When the fused async-TP ops split their matmul in two stages (the part that needs no exchange
 * overlapped with the exchange, the rest after it) and when they run it as one job.
 *
 * On webgpu every matmul job is an upload, a dispatch and (for a heap result) a readback, and
 * each costs a fixed time: on Deno a readback resolves only at the device's next poll (~10 ms),
 * in Chromium a `writeBuffer` or dispatch costs milliseconds (the devices share one GPU process).
 * Splitting pays when the matmul that runs during the exchange is worth more than that. Measured on
 * the 2-core machine, K = N = 64, float32 (`npm run bench -- --op fused_* --hidden 64`, BENCHMARKS.md,
 * T8), fused / unfused with one stage vs two:
 *
 * - matmul_reduce_scatter, M = 64 (262,144 multiply-adds): Deno 0.71 vs 0.81 (2 ranks), 0.75 vs
 *   1.00 (4); Chromium 0.84 vs 1.36, 1.09 vs 1.51. M = 256 (1 Mi): Deno 0.79 vs 0.78, 0.85 vs
 *   0.82; Chromium 0.97 vs 1.03, 1.02 vs 0.85. M = 1024: Deno 4 ranks 1.06 vs 0.86, Chromium 1.02 vs 0.82.
 *
 * So the threshold sits between 2^18 and 2^20 multiply-adds per rank. On cpu the stages change
 * only the order of the loops (no overlap on one thread).
 */

import { OpError } from "../../core/errors.ts";

/** Two stages from this many multiply-adds per rank on (the whole A @ B of one rank, every B). */
export const TWO_STAGE_MIN_MACS = 1 << 19;

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
