/**
 * The training panel's rank functions (demo/ranks/train-ranks.ts) on 4 real ranks of the cpu
 * backend (Node worker threads), driven as the panel drives them: trainSetup, trainSteps chunk by
 * chunk, trainFinish; checked against the in-thread simulation of the same arithmetic.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { launch, type World } from "../../src/index.ts";
import type { TrainChunk, TrainFinish, TrainSetupResult } from "../../demo/ranks/train-ranks.ts";
import { DEFAULT_CONFIG, LOSS_TOLERANCE } from "../../demo/train/config.ts";
import { simulateTraining } from "../../demo/train/simulate.ts";

const rankModule = new URL("../../demo/ranks/train-ranks.ts", import.meta.url);
let world: World;
beforeAll(async () => {
  world = await launch({ worldSize: 4, heapBytes: 1 << 20, backend: "cpu", rankModule });
});
afterAll(() => world?.close());

const cfg = { ...DEFAULT_CONFIG, steps: 25, batch: 30 }; // shards of 7 and 8 rows

async function train(mode: "parallel" | "single") {
  const setup = await world.run<TrainSetupResult | null>("trainSetup", cfg, mode, 10);
  const losses: number[] = [];
  const chunks: TrainChunk[][] = [];
  while (losses.length < cfg.steps) {
    const got = (await world.run<TrainChunk | null>("trainSteps", Math.min(10, cfg.steps - losses.length))).filter((c) => c !== null);
    chunks.push(got);
    losses.push(...got[0].losses);
  }
  const fin = await world.run<TrainFinish | null>("trainFinish");
  return { setup, losses, chunks, fin };
}

test("4 cpu ranks train data-parallel exactly as the simulation does, and end with the same parameters", async () => {
  const { setup, losses, chunks, fin } = await train("parallel");
  expect(setup.map((s) => s?.rows)).toEqual([7, 8, 7, 8]);
  const sim = simulateTraining(cfg, 4);
  for (let i = 0; i < cfg.steps; i++) expect(losses[i]).toBeCloseTo(sim.losses[i], 6);
  // every rank saw the same all-reduced stats
  for (const c of chunks) for (const r of c) expect(r.losses).toEqual(c[0].losses);
  const hashes = fin.map((f) => f!.hash);
  expect(new Set(hashes).size).toBe(1);
  const params = fin[0]!.params!;
  let worst = 0;
  for (let i = 0; i < params.length; i++) worst = Math.max(worst, Math.abs(params[i] - sim.params[i]));
  expect(worst).toBeLessThan(1e-5);
  expect(chunks.flat().every((c) => c.commMs > 0)).toBe(true);
});

test("single mode trains on rank 0 alone and agrees with the data-parallel run within the page's tolerance", async () => {
  const dp = await train("parallel");
  const single = await train("single");
  expect(single.setup.map((s) => s?.rows ?? null)).toEqual([30, null, null, null]);
  expect(single.chunks.every((c) => c.length === 1 && c[0].commMs === 0)).toBe(true);
  const diff = Math.max(...dp.losses.map((l, i) => Math.abs(l - single.losses[i])));
  expect(diff).toBeLessThan(LOSS_TOLERANCE);
  expect(single.fin.filter((f) => f !== null)).toHaveLength(1);
});

test("trainSteps without a run says so", async () => {
  await world.run("trainAbort");
  await expect(world.run("trainSteps", 1)).rejects.toThrow(/no training run is set up on this rank/);
});
