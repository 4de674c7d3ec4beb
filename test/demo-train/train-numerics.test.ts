/**
 * The demo's training numerics (demo/train/), on Node with the JavaScript arithmetic the cpu
 * backend runs and the WGSL kernels mirror: the gradients against finite differences, the
 * data-parallel gradient (shard sums all-reduced in rank order, scaled by 1/B) against the
 * full-batch one, and a short data-parallel run against single-rank training.
 */
import { describe, expect, test } from "vitest";
import { DEFAULT_CONFIG, LOSS_TOLERANCE, POINTS, mlpSizes, parseConfig } from "../../demo/train/config.ts";
import { BatchStream, gather, shardRange, twoSpirals } from "../../demo/train/dataset.ts";
import { STATS_LEN, accuracy, forwardBackward, initParams, meanLoss, mlpLayout } from "../../demo/train/mlp.ts";
import { simulateTraining, sumInRankOrder } from "../../demo/train/simulate.ts";

describe("the MLP's gradients", () => {
  test("match central finite differences of the mean loss on a tiny net (float64)", () => {
    const layout = mlpLayout([2, 3, 4, 2]);
    const params = Float64Array.from(initParams(layout, 7));
    for (let i = 0; i < params.length; i++) params[i] += 0.05 * Math.sin(i); // biases off zero too
    const data = twoSpirals(3, 16);
    const rows = 6;
    const { x, y } = gather(data, [0, 3, 5, 8, 11, 14]);
    const grad = new Float64Array(layout.count + STATS_LEN);
    forwardBackward(layout, params, x, y, rows, grad);
    expect(grad[layout.count] / rows).toBeCloseTo(meanLoss(layout, params, x, y, rows), 12);
    const h = 1e-6;
    let worst = 0;
    for (let i = 0; i < layout.count; i++) {
      const plus = params.slice(); plus[i] += h;
      const minus = params.slice(); minus[i] -= h;
      const fd = (meanLoss(layout, plus, x, y, rows) - meanLoss(layout, minus, x, y, rows)) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - grad[i] / rows));
    }
    expect(worst).toBeLessThan(1e-7);
  });

  test("the correct count is the number of rows whose larger logit is the label", () => {
    const layout = mlpLayout(mlpSizes(8));
    const params = initParams(layout, 1);
    const data = twoSpirals(1, 64);
    const grad = new Float32Array(layout.count + STATS_LEN);
    forwardBackward(layout, params, data.x, data.y, 64, grad);
    expect(grad[layout.count + 1] / 64).toBeCloseTo(accuracy(layout, params, data.x, data.y, 64), 12);
  });
});

describe("data parallelism", () => {
  test("4 ranks' shard gradients, summed in rank order and scaled by 1/B, equal the full-batch gradient to float32 rounding", () => {
    const layout = mlpLayout(mlpSizes(32));
    const params = initParams(layout, 5);
    const data = twoSpirals(5, POINTS);
    const batch = 66; // not a multiple of 4: shards of 16 and 17 rows
    const indices = new BatchStream(5, data.n, batch).globalBatch(3);
    const shards: Float32Array[] = [];
    for (let r = 0; r < 4; r++) {
      const [a, b] = shardRange(batch, 4, r);
      const { x, y } = gather(data, indices.subarray(a, b));
      const g = new Float32Array(layout.count + STATS_LEN);
      forwardBackward(layout, params, x, y, b - a, g);
      shards.push(g);
    }
    const summed = sumInRankOrder(shards);
    const parallel = summed.map((v) => v / batch);
    const { x, y } = gather(data, indices);
    const full = new Float32Array(layout.count + STATS_LEN);
    forwardBackward(layout, params, x, y, batch, full);
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < full.length; i++) {
      scale = Math.max(scale, Math.abs(full[i] / batch));
      worst = Math.max(worst, Math.abs(parallel[i] - full[i] / batch));
    }
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(4 * 2 ** -23); // a few float32 roundings of the largest entry
    expect(summed[layout.count + 1]).toBe(full[layout.count + 1]); // correct counts add exactly
  });

  test("shards cover the batch exactly once, sizes differing by at most one", () => {
    for (const [batch, world] of [[64, 4], [66, 4], [5, 4], [7, 3], [1024, 16]]) {
      let next = 0;
      const sizes: number[] = [];
      for (let r = 0; r < world; r++) {
        const [a, b] = shardRange(batch, world, r);
        expect(a).toBe(next);
        next = b;
        sizes.push(b - a);
      }
      expect(next).toBe(batch);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  test("batches are deterministic, and every point appears once per epoch", () => {
    const a = new BatchStream(9, 100, 30);
    const b = new BatchStream(9, 100, 30);
    const seen: number[] = [];
    for (let s = 0; s < 10; s++) {
      const x = a.globalBatch(s);
      expect(Array.from(x)).toEqual(Array.from(b.globalBatch(s)));
      seen.push(...x);
    }
    expect(new Set(seen.slice(0, 100)).size).toBe(100);
    expect(new Set(seen.slice(100, 200)).size).toBe(100);
    expect(twoSpirals(4, 50).x).toEqual(twoSpirals(4, 50).x);
  });

  test("a short run of the page's default settings: 4 ranks and 1 rank agree within the page's tolerance, and the loss falls", () => {
    const cfg = { ...DEFAULT_CONFIG, steps: 120 };
    const dp = simulateTraining(cfg, 4);
    const single = simulateTraining(cfg, 1);
    const diff = Math.max(...dp.losses.map((l, i) => Math.abs(l - single.losses[i])));
    expect(diff).toBeLessThan(LOSS_TOLERANCE);
    expect(diff).toBeGreaterThan(0); // different summation orders: not bitwise the same
    const avg = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(avg(dp.losses.slice(-20))).toBeLessThan(avg(dp.losses.slice(0, 20)) * 0.8);
  });
});

describe("the panel's settings", () => {
  const ok = { steps: "300", lr: "0.1", batch: "64", hidden: "32", seed: "1" };
  test("parse within bounds", () => {
    expect(parseConfig(ok, 4)).toEqual({ steps: 300, lr: 0.1, batch: 64, hidden: 32, seed: 1 });
  });
  test.each([
    [{ hidden: "0" }, /^hidden size: expected a whole number from 2 to 256, found "0"/],
    [{ lr: "abc" }, /^learning rate: expected a number/],
    [{ steps: "2.5" }, /^steps: expected a whole number/],
    [{ batch: "2" }, /^batch size: expected at least 4/],
    [{ batch: "" }, /^batch size: expected a whole number from 1 to 1024, found ""/],
  ])("%o is refused, naming the field", (bad, message) => {
    expect(() => parseConfig({ ...ok, ...bad }, 4)).toThrow(message);
  });
});
