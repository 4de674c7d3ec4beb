/**
 * The tensor-parallel MLP of deno/examples/tensor-parallel-mlp.ts (examples/tp-mlp/) on Node, cpu
 * ranks: the shards against the whole matrices, the checker against wrong outputs (so a wrong step
 * is caught), and the three modes (eager, planned, fused) against the single-rank float64 MLP,
 * planned bit for bit eager, 0 realizations on replay, eager's one per registered argument.
 */
import { describe, expect, it } from "vitest";
import { mlpConfig } from "../../examples/tp-mlp/config.ts";
import type { MlpRankResult } from "../../examples/tp-mlp/mlp-ranks.ts";
import { referenceMlp, rowsOf } from "../../examples/tp-mlp/reference.ts";
import { checkMlp } from "../../examples/tp-mlp/verify.ts";
import { fullW1, fullW2, fullX, w1Shard, w2Shard, xShard } from "../../examples/tp-mlp/weights.ts";
import { runMlp } from "../shared/tp-mlp-scenarios.ts";

describe("tp-mlp shards (examples/tp-mlp/weights.ts)", () => {
  it("splits x by rows, W1 by columns and W2 by rows of the whole matrices", () => {
    const cfg = mlpConfig(4, { tokens: 8, hidden: 3, ffn: 8 });
    const x = fullX(cfg), w1 = fullW1(cfg), w2 = fullW2(cfg);
    for (let r = 0; r < 4; r++) {
      expect(Array.from(xShard(cfg, r))).toEqual(Array.from(x.subarray(r * 2 * 3, (r + 1) * 2 * 3)));
      const s1 = w1Shard(cfg, r), s2 = w2Shard(cfg, r);
      for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++) expect(s1[j * 2 + c]).toBe(w1[j * 8 + r * 2 + c]);
      expect(Array.from(s2)).toEqual(Array.from(w2.subarray(r * 2 * 3, (r + 1) * 2 * 3)));
    }
  });

  it("refuses sizes that do not divide by the world size", () => {
    expect(() => mlpConfig(3, { tokens: 64 })).toThrow("tokens (64) must be divisible by the world size 3");
    expect(() => mlpConfig(4, { ffn: 6 })).toThrow("ffn (6) must be divisible by the world size 4");
  });
});

/** What a correct run returns: the reference rounded to float32, every mode alike. */
function modelResults(cfg: ReturnType<typeof mlpConfig>): MlpRankResult[] {
  const ref = referenceMlp(cfg);
  return Array.from({ length: cfg.worldSize }, (_, r) => ({
    backend: "model",
    modes: (["eager", "planned", "fused"] as const).map((mode) => ({
      mode, output: Float32Array.from(rowsOf(cfg, ref.y, r)), realizationsPerStep: mode === "eager" ? 4 : 0,
      copyBacksPerStep: 0, heapBytes: 0, msPerStep: [1],
    })),
  }));
}

describe("tp-mlp checker (examples/tp-mlp/verify.ts)", () => {
  const cfg = mlpConfig(2, { tokens: 8, hidden: 16, ffn: 32 });
  const good = modelResults(cfg);

  it("verifies the float32-rounded reference, with a bound far below |y|", () => {
    const check = checkMlp(cfg, good);
    expect(check.problems).toEqual([]);
    for (const m of check.modes) {
      expect(m.maxError).toBeGreaterThan(0);
      expect(m.maxBound).toBeLessThan(1e-4 * Math.max(1, check.maxReference));
    }
  });

  it("catches a value off by 1e-4, a row swap, a planned bit flip, a wrong realization count", () => {
    const bad = (edit: (r: MlpRankResult[]) => void) => {
      const copy = structuredClone(good);
      edit(copy);
      return checkMlp(cfg, copy).problems.join("\n");
    };
    expect(bad((r) => (r[1].modes[2].output[5] += 1e-4))).toContain("fused: 1 elements off the single-rank MLP");
    expect(bad((r) => r[0].modes[0].output.copyWithin(0, 16, 32))).toContain("eager:");
    expect(bad((r) => {
      const o = r[1].modes[1].output;
      new Uint32Array(o.buffer, o.byteOffset, o.length)[3] ^= 1;
    })).toContain("rank 1: the planned output differs from the eager one in 1 of");
    expect(bad((r) => ((r[0].modes[1] as { realizationsPerStep: number }).realizationsPerStep = 1)))
      .toContain("rank 0 planned: 1 realizations per step, expected 0");
  });
});

describe("tp-mlp on cpu ranks (Node): eager, planned (rank.plan) and fused steps", () => {
  for (const worldSize of [2, 4]) {
    it(`${worldSize} ranks, against the single-rank float64 MLP`, async () => {
      const { check, results } = await runMlp({ backend: "cpu", worldSize, config: { tokens: 32, hidden: 16, ffn: 64 }, options: { steps: 2 } });
      expect(check.problems).toEqual([]);
      expect(check.modes.map((m) => [m.mode, m.realizationsPerStep])).toEqual([["eager", 4], ["planned", 0], ["fused", 0]]);
      for (const r of results) {
        const planned = r.modes.find((m) => m.mode === "planned")!;
        const eager = r.modes.find((m) => m.mode === "eager")!;
        expect(Array.from(new Uint32Array(planned.output.buffer))).toEqual(Array.from(new Uint32Array(eager.output.buffer)));
        expect(planned.planStats!.traces).toBe(1);
        expect(planned.planStats!.replays).toBe(3); // the warm-up call and 2 timed steps
        expect(planned.planStats!.heapBytes).toBe(planned.heapBytes);
        expect(planned.heapBytes).toBeGreaterThan(0);
        // the mutated arguments, realized and copied back: the gathered x (out), the partials
        // (reduce_scatter_out's input is Tensor(a!)) and y (output)
        expect(eager.copyBacksPerStep).toBe(3);
      }
      console.log(`  ${worldSize} ranks: ${check.modes.map((m) => `${m.mode} max error ${m.maxError.toExponential(2)} (bound ${m.maxBound.toExponential(2)}), ${m.heapBytes} heap bytes`).join("; ")}`);
    }, 60_000);
  }
});
