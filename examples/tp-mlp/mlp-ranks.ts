/**
 * The tensor-parallel MLP, one rank's side: the rank module that
 * deno/examples/tensor-parallel-mlp.ts, bench/tp-mlp.ts, the Vitest test on Node and the Chromium
 * test launch (in a bundled page through mlp-ranks.worker.ts). Every rank
 * generates its shards of x, W1 and W2 (weights.ts) and runs the step (layer.ts) three ways:
 *
 * - "eager": the ops called directly through rank.ops; the dispatcher realizes every registered
 *   argument that is not in the heap (x, the gathered x, the layer-2 partials, y: 4 per step,
 *   counted in rank.stats.realizations) and copies the two `out`s back;
 * - "planned": the same function through `rank.plan(fn)`: traced once, then replayed with every
 *   value that reaches a registered argument homed in the plan's heap (x copied in once per call,
 *   y copied out), so no realization on replay;
 * - "fused": symm_mem::fused_all_gather_matmul and symm_mem::fused_matmul_reduce_scatter (their
 *   own workspaces; nothing registered, nothing realized).
 *
 * Each mode runs a warm-up call (the plan's trace), then `rounds` rounds of `steps` timed steps,
 * the modes interleaved within each round in a rotating order; it returns each mode's output of
 * its last step, its realizations per timed step, the heap bytes it holds and its ms per step in
 * every round.
 */
import type { PlanCaller, PlanStats, Rank, Tensor } from "../../src/index.ts";
import { ffnPerRank, type MlpConfig, rowsPerRank } from "./config.ts";
import { fusedStep, mlpStep } from "./layer.ts";
import { w1Shard, w2Shard, xShard } from "./weights.ts";

/** The three ways to run the step. */
export type MlpMode = "eager" | "planned" | "fused";

/** Every mode, in the order the table prints them. */
export const MLP_MODES: readonly MlpMode[] = ["eager", "planned", "fused"];

/** How `tpMlp` runs the modes. */
export interface MlpRunOptions {
  /** Modes to run (default all three). */
  readonly modes?: readonly MlpMode[];
  /** Timed steps per round and mode (default 3). */
  readonly steps?: number;
  /** Rounds (default 1). */
  readonly rounds?: number;
}

/** What one mode did on one rank (structured-cloneable). */
export interface MlpModeResult {
  readonly mode: MlpMode;
  /** This rank's rows of y from the mode's last step, [tokens / world, hidden]. */
  readonly output: Float32Array;
  /** rank.stats.realizations per timed step (the warm-up call excluded). */
  readonly realizationsPerStep: number;
  /** rank.stats.copyBacks per timed step. */
  readonly copyBacksPerStep: number;
  /** Heap bytes the mode holds: the plan's heap (step.stats.heapBytes) for "planned", else the allocations its first call made (workspaces). */
  readonly heapBytes: number;
  /** ms per step, one value per round. */
  readonly msPerStep: number[];
  /** The plan's counters after the last step ("planned" only). */
  readonly planStats?: PlanStats;
  /** The plan, op by op ("planned" only). */
  readonly plan?: string;
}

/** What one rank returns. */
export interface MlpRankResult {
  readonly backend: string;
  readonly modes: MlpModeResult[];
}

const eagerCaller = (rank: Rank): PlanCaller => ({ ops: rank.ops, call: (name, ...args) => rank.call(name, ...args) });

function liveBytes(rank: Rank, ids: ReadonlySet<string>): number {
  return rank.symm.allocations().filter((a) => !ids.has(a.id)).reduce((s, a) => s + a.bytes, 0);
}

/** Runs the step in every requested mode on this rank's shards; every rank calls it with the same config and options. */
export async function tpMlp(rank: Rank, cfg: MlpConfig, options: MlpRunOptions = {}): Promise<MlpRankResult> {
  if (cfg.worldSize !== rank.worldSize) throw new Error(`tp-mlp: config for ${cfg.worldSize} ranks, launched with ${rank.worldSize}`);
  const modes = options.modes ?? MLP_MODES, steps = options.steps ?? 3, rounds = options.rounds ?? 1;
  const n = rowsPerRank(cfg), h = cfg.hidden, f = ffnPerRank(cfg), w = cfg.worldSize, r = rank.rank;
  const x = rank.tensor(xShard(cfg, r), { shape: [n, h] });
  const w1 = rank.tensor(w1Shard(cfg, r), { shape: [h, f] });
  const w2 = rank.tensor(w2Shard(cfg, r), { shape: [f, h] });
  const sync = rank.symm.empty([1], "int32", { label: "tp-mlp barrier" });
  const handle = await rank.symm.rendezvous(sync);

  const planned = rank.plan((c: PlanCaller, a: Tensor, b: Tensor, d: Tensor) => mlpStep(c, w, a, b, d), { label: "tp-mlp" });
  const run: Record<MlpMode, () => Promise<Tensor>> = {
    eager: () => mlpStep(eagerCaller(rank), w, x, w1, w2),
    planned: () => planned(x, w1, w2),
    fused: () => fusedStep(eagerCaller(rank), x, w1, w2),
  };
  try {
    const last = new Map<MlpMode, Tensor>();
    const heapBytes = new Map<MlpMode, number>();
    for (const mode of modes) {
      const before = new Set(rank.symm.allocations().map((a) => a.id));
      last.set(mode, await run[mode]());
      heapBytes.set(mode, mode === "planned" ? planned.stats.heapBytes : liveBytes(rank, before));
    }
    const ms = new Map<MlpMode, number[]>(modes.map((m) => [m, []]));
    const moved = new Map<MlpMode, { realizations: number; copyBacks: number }>(modes.map((m) => [m, { realizations: 0, copyBacks: 0 }]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < modes.length; i++) {
        const mode = modes[(i + round) % modes.length];
        await handle.barrier();
        const { realizations, copyBacks } = rank.stats;
        const t0 = performance.now();
        for (let s = 0; s < steps; s++) last.set(mode, await run[mode]());
        ms.get(mode)!.push((performance.now() - t0) / steps);
        const m = moved.get(mode)!;
        m.realizations += rank.stats.realizations - realizations;
        m.copyBacks += rank.stats.copyBacks - copyBacks;
      }
    }
    const results: MlpModeResult[] = [];
    const timed = Math.max(1, steps * rounds);
    for (const mode of modes) {
      const output = Float32Array.from(await rank.read(last.get(mode)!) as Float32Array);
      results.push({
        mode, output, heapBytes: heapBytes.get(mode)!, msPerStep: ms.get(mode)!,
        realizationsPerStep: moved.get(mode)!.realizations / timed, copyBacksPerStep: moved.get(mode)!.copyBacks / timed,
        ...(mode === "planned" ? { planStats: { ...planned.stats }, plan: planned.describe() } : {}),
      });
    }
    await handle.barrier();
    return { backend: rank.backend, modes: results };
  } finally {
    planned.dispose();
    rank.symm.free(sync);
  }
}
