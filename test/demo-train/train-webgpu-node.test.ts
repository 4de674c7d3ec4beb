/**
 * The training WGSL kernels (demo/train/kernels.ts) through the panel's rank functions on 2 real
 * webgpu ranks on Node (Dawn on SwiftShader; skipped, saying why, where there is none): the
 * first step's gradient against the JavaScript reference, the whole run against the simulation of
 * the same arithmetic, and data-parallel against single-rank.
 */
import { afterAll, describe, expect, it } from "vitest";
import { probeNodeGpu } from "../webgpu-node/node-gpu.ts";
import { launch, type World } from "../../src/index.ts";
import type { TrainChunk, TrainFinish } from "../../demo/ranks/train-ranks.ts";
import { GRAD_CHECK_TOLERANCE, LOSS_TOLERANCE } from "../../demo/train/config.ts";
import { simulateTraining } from "../../demo/train/simulate.ts";

const { skip } = await probeNodeGpu();
if (skip) console.warn(`SKIP webgpu training on Node: ${skip}`);
const maybe = skip === undefined ? describe : describe.skip;

maybe("training on 2 webgpu ranks (Node, Dawn)", () => {
  let world: World | undefined;
  afterAll(() => world?.close());
  const cfg = { steps: 30, lr: 0.2, batch: 25, hidden: 10, seed: 3 }; // shards of 12 and 13 rows

  async function train(mode: "parallel" | "single") {
    await world!.run("trainSetup", cfg, mode, 10);
    const chunks: TrainChunk[] = [];
    for (let done = 0; done < cfg.steps; done += 10) {
      chunks.push((await world!.run<TrainChunk | null>("trainSteps", 10)).find((c) => c !== null)!);
    }
    const fin = (await world!.run<TrainFinish | null>("trainFinish")).filter((f) => f !== null);
    return { losses: chunks.flatMap((c) => c.losses), gradCheck: chunks[0].gradCheck, fin };
  }

  it("WGSL gradients match mlp.ts, the run follows the JavaScript simulation, and 2 ranks agree with 1", async () => {
    world = await launch({ worldSize: 2, heapBytes: 1 << 20, backend: "webgpu", rankModule: new URL("../../demo/ranks/train-ranks.ts", import.meta.url) });
    const dp = await train("parallel");
    expect(dp.gradCheck).not.toBeNull();
    expect(dp.gradCheck!).toBeLessThanOrEqual(GRAD_CHECK_TOLERANCE);
    expect(new Set(dp.fin.map((f) => f!.hash)).size).toBe(1);
    const sim = simulateTraining(cfg, 2);
    const vsSim = Math.max(...dp.losses.map((l, i) => Math.abs(l - sim.losses[i])));
    expect(vsSim).toBeLessThan(LOSS_TOLERANCE);
    const single = await train("single");
    expect(single.fin).toHaveLength(1);
    const diff = Math.max(...dp.losses.map((l, i) => Math.abs(l - single.losses[i])));
    expect(diff).toBeLessThan(LOSS_TOLERANCE);
    expect(dp.losses.at(-1)!).toBeLessThan(dp.losses[0]);
  });
});
