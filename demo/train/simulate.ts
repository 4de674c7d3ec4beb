/**
 * Data-parallel training simulated in one thread with the JavaScript arithmetic (mlp.ts): what
 * the ranks do on the cpu backend, step for step, with the all-reduce done here in rank order in
 * float32. The tests use it; the page does not.
 */
import { MOMENTUM, POINTS, mlpSizes, type TrainConfig } from "./config.ts";
import { BatchStream, gather, shardRange, twoSpirals } from "./dataset.ts";
import { STATS_LEN, forwardBackward, initParams, mlpLayout } from "./mlp.ts";
import { sgdStep } from "./optimizer.ts";

export interface SimulatedRun {
  readonly losses: number[];
  readonly accs: number[];
  readonly params: Float32Array;
}

/** Sums per-rank vectors in rank order, in float32, as the collectives do. */
export function sumInRankOrder(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts[0].length);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i] + p[i]);
  return out;
}

export function simulateTraining(cfg: TrainConfig, worldSize: number): SimulatedRun {
  const data = twoSpirals(cfg.seed, POINTS);
  const layout = mlpLayout(mlpSizes(cfg.hidden));
  const params = initParams(layout, cfg.seed);
  const velocity = new Float32Array(layout.count);
  const stream = new BatchStream(cfg.seed, data.n, cfg.batch);
  const losses: number[] = [];
  const accs: number[] = [];
  for (let step = 0; step < cfg.steps; step++) {
    const batch = stream.globalBatch(step);
    const parts: Float32Array[] = [];
    for (let r = 0; r < worldSize; r++) {
      const [a, b] = shardRange(cfg.batch, worldSize, r);
      const { x, y } = gather(data, batch.subarray(a, b));
      const g = new Float32Array(layout.count + STATS_LEN);
      forwardBackward(layout, params, x, y, b - a, g);
      parts.push(g);
    }
    const sum = sumInRankOrder(parts);
    losses.push(sum[layout.count] / cfg.batch);
    accs.push(sum[layout.count + 1] / cfg.batch);
    sgdStep(params, velocity, sum, cfg.batch, { lr: cfg.lr, momentum: MOMENTUM });
  }
  return { losses, accs, params };
}
