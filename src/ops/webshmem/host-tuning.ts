/**
 * The host all-reduce pipeline's shape, set per rank with
 * `rank.configure("webshmem::host_all_reduce_", { chunkBytes, inSlots, outSlots })`. Every rank of
 * a group must use the same values (they set the workspace layout and the chunk numbering): the
 * op checks it and fails on every rank when they differ.
 */
import { OpError } from "../../core/errors.ts";
import { detectRuntime, type RuntimeName } from "../../core/runtime.ts";

const MiB = 1 << 20;

/**
 * The settings of `webshmem::host_all_reduce_`, given with `rank.configure`; a key left out keeps
 * its default (4 MiB chunks, 16 in-slots, 16 out-slots). An unknown key or a bad value makes the
 * call throw an OpError naming it. Every rank of a group must use the same values.
 */
export interface HostAllReduceTuning {
  /** Bytes per chunk (a multiple of 256). */
  readonly chunkBytes: number;
  /**
   * In-slots per rank: chunks read back (or being read back) and not yet reduced by every rank.
   * Every free in-slot has a readback in flight: on Deno each readback resolves only at the
   * device's next poll (~10 ms), so reads must be issued many at a time, not one per chunk.
   */
  readonly inSlots: number;
  /** Out-slots per rank: reduced slices not yet uploaded by every rank. */
  readonly outSlots: number;
  /**
   * Tensors not in host memory of at most this many bytes take the one-round path
   * (host-one-round.ts) instead of the pipeline; 0 turns it off.
   */
  readonly oneRoundMaxBytes: number;
  /**
   * Tensors not in host memory above oneRoundMaxBytes and of at most this many bytes take the
   * one-round path's reduce-once form (host-reduce-once.ts: the last rank to arrive reduces once
   * for every rank) instead of the pipeline; 0 (or any value up to oneRoundMaxBytes) turns it off.
   */
  readonly reduceOnceMaxBytes: number;
}

/**
 * The one-round path up to 256 KiB. Measured on 2026-12-03, the 2-core machine, float32, ms per
 * call (pipeline with oneRoundMaxBytes 0 / one-round with 16M), by
 * `npm run bench -- --runtime <rt> -g <N> --algo host -b 16K -e 4M -f 4 -n 5 -w 2 --one_round_max <0|16M>`
 * (docs/bench/results/perf-2026-12-03/crossover-*):
 *
 *   size      Deno 4 ranks  Deno 8 ranks  Chromium 4 ranks  Chromium 8 ranks
 *   16 KiB    25.7 / 24.7   29.2 / 26.7    8.5 /  6.8       23.3 / 13.3
 *   64 KiB    25.4 / 24.5   29.7 / 26.6    6.9 /  3.5       14.7 /  6.6
 *   256 KiB   26.0 / 24.9   30.6 / 27.0    7.9 /  5.2       16.1 / 11.9
 *   1 MiB     28.4 / 29.5   38.2 / 37.1    9.9 / 10.4       22.8 / 26.0
 *   4 MiB     32.7 / 36.0   47.1 / 61.4   19.9 / 27.5       56.4 / 68.8
 *
 * One-round wins up to 256 KiB on every runtime and rank count, and loses from 1 MiB everywhere
 * but Deno with 8 ranks (3% there): every rank reducing the whole tensor stops being free.
 *
 * 2 and 16 ranks, 2026-12-04, the same command with --baselines 0 (docs/bench/results/perf-2026-12-04/crossover-*):
 *
 *   size      Deno 2 ranks  Deno 16 ranks  Chromium 2 ranks                          Chromium 16 ranks
 *   16 KiB    23.4 / 23.1   36.8 /  32.5   2.7 / 2.1,  1.9 / 1.2,  1.4 / 2.7         26.0 /  12.3
 *   64 KiB    23.8 / 22.8   37.5 /  34.5   1.3 / 1.8,  1.9 / 0.9,  1.9 / 2.7          17.4 /   8.9
 *   256 KiB   23.6 / 23.0   40.5 /  34.7   1.3 / 3.3,  2.5 / 2.1,  2.8 / 3.2          30.0 /  14.2
 *   1 MiB     24.6 / 23.9   67.9 /  66.2   2.5 / 3.6,  3.3 / 4.2,  3.6 / 3.1          26.7 /  48.7
 *   4 MiB     26.9 / 29.3   80.4 / 124.7   7.5 / 7.3                                 68.3 / 133.7
 *
 * The same crossover at 2 and 16 ranks on Deno and with 16 in Chromium (one-round up to 256 KiB,
 * 2× faster there with 16 ranks); Chromium with 2 ranks is within its own noise (three runs, each
 * pair "pipeline / one-round", swing both ways by up to 2×), so its entry stays the others'.
 */
const ONE_ROUND_MAX_BYTES = 256 * 1024;

/**
 * Chosen on Deno 2.9 / lavapipe, 4 ranks, float32, the 2-core machine, by
 * `npx deno run -A --no-check test/perf/host-bench.ts --sizes 16,64 --chunks 1:16:16,2:16:16,4:16:16,8:8:8 --rounds 5`
 * (time / staging floor of the same run, median of 5 rounds; machine nearly idle):
 *
 *   chunk, in/out slots    16 MiB (floor 21.7 ms)   64 MiB (floor 41.7 ms)
 *   1 MiB, 16/16           1.18                     2.05
 *   2 MiB, 16/16           1.23                     1.58
 *   4 MiB, 16/16           1.21                     1.37
 *   8 MiB,  8/8            1.23                     1.37
 *   4 MiB,  4/4            1.11 (loaded machine)    1.65 (loaded machine)
 *
 * Few slots serialise on Deno's ~10 ms readback polls (all reads must be in flight at once);
 * small chunks pay per-chunk costs at 64 MiB. The workspace is 256 B + 2 × min(16, chunks) × 4 MiB
 * per rank: 128 MiB for tensors of 64 MiB or more. The one-round path and its reduce-once form
 * have a workspace each: 512 B + 2 × the tensor (block-aligned) per rank, at most about 512 KiB
 * for the one-round path on Deno, and 16 MiB (Deno) or 128 MiB (Chromium) for the reduce-once form.
 */
export const DEFAULT_HOST_TUNING: HostAllReduceTuning = {
  chunkBytes: 4 * MiB, inSlots: 16, outSlots: 16, oneRoundMaxBytes: ONE_ROUND_MAX_BYTES,
  reduceOnceMaxBytes: 0,
};

/**
 * The reduce-once form (host-reduce-once.ts), 2026-12-08, the 2-core machine, float32, ms per call
 * (the slowest rank's mean), `npm run bench -- --runtime <rt> -g <N> -b <lo> -e <hi> -f <f>
 * --baselines 0`, the defaults of before (every rank reduces up to 256 KiB, the pipeline above)
 * against the reduce-once form at every size shown (`--one_round_max 0 --reduce_once_max 64M`),
 * alternated, each run's figure (docs/bench/results/perf-2026-12-08b/):
 *
 *   Chromium  2 ranks                 4 ranks                 8 ranks                 16 ranks
 *   8 B       2.40 0.71 / 2.33 2.83   1.42 3.08 / 2.86 3.11   3.84 3.69 / 3.47 3.33   5.59 / 5.31 (2,000 iterations)
 *   4 KiB     2.74 2.29 / 2.09 2.68   3.46 3.04 / 3.06 2.96   3.68 3.96 / 3.55 3.80   5.10 5.77 8.02 / 5.31 5.97 8.54
 *   128 KiB                                                                           8.66 8.23 8.02 / 7.13 6.14 7.17
 *   256 KiB   2.76 3.06 / 2.64 2.77   3.50 3.83 / 3.70 3.41   5.24 5.33 / 4.36 4.96   10.68 10.88 / 9.85 6.96
 *   512 KiB                                                                           18.35 14.89 15.38 / 8.47 7.77 7.74
 *   2 MiB     5.65 6.13 / 4.48 4.16   7.27 7.65 / 6.36 6.27   14.29 14.50 / 10.19 9.71 27.14 28.54 / 19.36 17.59
 *   4 MiB                             11.36 / 10.33                                   49.33 / 28.90
 *   16 MiB                            32.97 / 23.20, 30.94 / 23.94                    132.63 / 85.58
 *   32 MiB                            55.56 / 43.53
 *   64 MiB                            167.64 / 75.77
 *
 *   Deno      4 ranks                 16 ranks
 *   8 B       23.38 / 23.70           25.40 26.10 / 26.04 25.66
 *   4 KiB     23.27 / 23.37           25.04 25.11 / 25.55 26.24
 *   256 KiB   23.57 / 23.57           27.15 / 26.08
 *   2 MiB     25.77 / 24.85           36.81 / 31.82
 *   4 MiB     29.10 / 29.54           47.16 / 42.13
 *   8 MiB     34.20 / 32.38           61.46 / 52.19
 *   16 MiB    33.89 / 39.37           93.12 / 110.79
 *
 * In Chromium the reduce-once form wins or ties at every size measured, to 64 MiB on 4 ranks and
 * 16 MiB on 16 (above 64 MiB the pipeline stays: its workspace stops growing at 128 MiB per
 * rank, this form's is twice the tensor):
 * one GPU process serves every rank and the ranks outnumber the cores, so a call costs the CPU it
 * takes from everyone, and this form makes one reduction instead of one per rank and wakes each
 * rank once instead of a barrier's signals (at 16 ranks and 8 B, 17 % less CPU per call over all
 * of Chromium's threads, schedstat). On Deno it ties or loses by 1-4 % up to 256 KiB (every rank
 * reducing stays there), wins from 2 to 8 MiB and loses at 16 MiB, where the pipeline overlaps
 * the readbacks' ~10 ms polls. Node's Dawn (4 ranks, two pairs, 8 B-2 MiB, node4.txt) swung 0.4-3.6
 * ms at <= 4 KiB and 4.5-8.3 ms at 2 MiB in both forms: no measured reason to change, it keeps the
 * defaults of before.
 */
const RUNTIME_HOST_TUNING: Readonly<Record<RuntimeName, Partial<HostAllReduceTuning>>> = {
  chromium: { oneRoundMaxBytes: 0, reduceOnceMaxBytes: 64 * MiB },
  deno: { reduceOnceMaxBytes: 8 * MiB },
  node: {},
};

/** The defaults on `runtime`: DEFAULT_HOST_TUNING with the runtime's measured entries over it. */
export function defaultHostTuning(runtime: RuntimeName = detectRuntime()): HostAllReduceTuning {
  return defaults.get(runtime) ?? defaults.set(runtime, { ...DEFAULT_HOST_TUNING, ...RUNTIME_HOST_TUNING[runtime] }).get(runtime)!;
}

const defaults = new Map<RuntimeName, HostAllReduceTuning>();

/** The defaults of `runtime` with `settings` over them, checked; a bad value is an OpError naming it. */
export function hostTuning(settings: Readonly<Record<string, unknown>> | undefined, runtime?: RuntimeName): HostAllReduceTuning {
  const base = defaultHostTuning(runtime);
  if (settings === undefined) return base;
  for (const k of Object.keys(settings)) {
    if (!(k in DEFAULT_HOST_TUNING)) {
      throw new OpError(`host all-reduce: unknown setting "${k}": expected chunkBytes, inSlots, outSlots, oneRoundMaxBytes or reduceOnceMaxBytes`);
    }
  }
  const t = { ...base, ...settings } as HostAllReduceTuning;
  if (!Number.isInteger(t.chunkBytes) || t.chunkBytes < 256 || t.chunkBytes % 256 !== 0) {
    throw new OpError(`host all-reduce: chunkBytes must be a positive multiple of 256, found ${t.chunkBytes}`);
  }
  for (const k of ["oneRoundMaxBytes", "reduceOnceMaxBytes"] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 0) throw new OpError(`host all-reduce: ${k} must be a non-negative integer, found ${t[k]}`);
  }
  for (const k of ["inSlots", "outSlots"] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 1) throw new OpError(`host all-reduce: ${k} must be a positive integer, found ${t[k]}`);
  }
  return t;
}
