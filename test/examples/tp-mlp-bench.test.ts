// T7's report (examples/tp-mlp/bench-report.ts, printed by bench/tp-mlp.ts): ratios from the
// modes' rounds, the copy-bound rule on cpu, the noise allowance on webgpu, the JSON's schema.
import { describe, expect, it } from "vitest";
import { benchJson, benchRow, benchTable, eagerCopyBytes, stepMacs, t7Verdict } from "../../examples/tp-mlp/bench-report.ts";
import { DEFAULT_SIZES, parseTpMlpArgs } from "../../examples/tp-mlp/bench-run.ts";
import { mlpConfig } from "../../examples/tp-mlp/config.ts";
import type { MlpModeCheck } from "../../examples/tp-mlp/verify.ts";

const mode = (m: MlpModeCheck["mode"], msPerRound: number[], realizationsPerStep = m === "eager" ? 4 : 0): MlpModeCheck => ({
  mode: m, maxError: 0, maxBound: 1, outside: 0, realizationsPerStep, heapBytes: 4096, msPerRound,
});
const size = (ffn: number, eager: number[], planned: number[], plannedRealizations = 0) => benchRow({
  cfg: mlpConfig(2, { tokens: 64, hidden: 32, ffn }),
  check: { modes: [mode("eager", eager), mode("planned", planned, plannedRealizations), mode("fused", [1, 1, 1])], maxReference: 1, problems: [], verified: true },
});

describe("T7's report (examples/tp-mlp/bench-report.ts)", () => {
  it("counts the eager step's copies and MACs per rank", () => {
    const cfg = mlpConfig(2, { tokens: 8, hidden: 4, ffn: 6 });
    // x shard 4 x 4 in (64 B); gathered 8 x 4 in and back (2 x 128); partials in and back (2 x 128); y in and back (2 x 64)
    expect(eagerCopyBytes(cfg)).toBe(64 + 256 + 256 + 128);
    expect(stepMacs(cfg)).toBe(2 * 8 * 4 * 3);
  });

  it("takes the median round of each mode, its ratio to eager, and eager's own noise", () => {
    const r = size(8, [10, 12, 11], [5, 6, 7]);
    expect(r.ms).toEqual({ eager: 11, planned: 6, fused: 1 });
    expect(r.planned).toBeCloseTo(6 / 11);
    expect(r.eagerNoise).toBeCloseTo(1 / 11);
    expect(benchTable([r])[1]).toContain("0.55");
  });

  it("cpu: met only where the copy-bound sizes are at <= 0.8 and nothing is realized on replay", () => {
    const copyBound = size(8, [10, 10, 10], [7, 7, 7]); // MAC/B = 0.5
    const matmulBound = size(128, [10, 10, 10], [9.5, 9.5, 9.5]); // MAC/B = 8: not asked
    expect(t7Verdict("cpu", [copyBound, matmulBound]).met).toBe(true);
    const slow = t7Verdict("cpu", [size(8, [10, 10, 10], [8.5, 8.5, 8.5])]);
    expect(slow.met).toBe(false);
    expect(slow.lines.join("\n")).toContain("planned / eager 0.850, above 0.800");
    expect(t7Verdict("cpu", [size(8, [10, 10, 10], [1, 1, 1], 2)]).lines.join("\n")).toContain("planned made 2 realizations per step");
  });

  it("webgpu: not slower than eager beyond eager's own noise", () => {
    expect(t7Verdict("webgpu", [size(128, [10, 9, 11], [10.5, 10.5, 10.5])]).met).toBe(true); // noise 10 %
    expect(t7Verdict("webgpu", [size(128, [10, 10, 10], [10.5, 10.5, 10.5])]).met).toBe(false); // no noise
  });

  it("writes rows per size and mode, eager as the baseline, in the benchmark's schema", () => {
    const j = benchJson([size(8, [10, 10, 10], [5, 5, 5])], { runtime: "deno" });
    expect(Object.keys(j)).toEqual(["rows", "baselines", "meta"]);
    expect(j.rows.map((r) => [r.mode, r.time_us, r.ratio, r.realizations])).toEqual([["eager", 10000, 1, 4], ["planned", 5000, 0.5, 0], ["fused", 1000, 0.1, 0]]);
    expect(j.baselines).toEqual([{ name: "eager", size: 64 * 32 * 4, time_us: 10000 }]);
  });
});

describe("T7's command line (examples/tp-mlp/bench-run.ts)", () => {
  it("defaults to cpu, 2 ranks, 5 rounds of 3 steps over the default sizes; --runtime is the driver's", () => {
    const o = parseTpMlpArgs(["--runtime", "chromium"]);
    expect([o.backend, o.world, o.rounds, o.steps, o.configs.length, o.json]).toEqual(["cpu", 2, 5, 3, DEFAULT_SIZES.length, undefined]);
    const p = parseTpMlpArgs(["--backend=webgpu", "--world", "4", "--sizes", "64:32:128,8:4:8", "--json", "x.json"]);
    expect(p.configs.map((c) => [c.tokens, c.hidden, c.ffn, c.worldSize])).toEqual([[64, 32, 128, 4], [8, 4, 8, 4]]);
    expect([p.backend, p.json]).toEqual(["webgpu", "x.json"]);
  });

  it("refuses bad flags, naming what was expected", () => {
    expect(() => parseTpMlpArgs(["--backend", "cuda"])).toThrow("--backend must be cpu or webgpu, found cuda");
    expect(() => parseTpMlpArgs(["--world", "0"])).toThrow("--world must be a positive integer, found 0");
    expect(() => parseTpMlpArgs(["--world", "17"])).toThrow("--world must be 1..16, found 17");
    expect(() => parseTpMlpArgs(["--world", "3", "--sizes", "64:32:128"])).toThrow("--sizes 64:32:128: tp-mlp: tokens (64) must be divisible by the world size 3");
    expect(() => parseTpMlpArgs(["--steps"])).toThrow("--steps needs a value");
    expect(() => parseTpMlpArgs(["--frobnicate", "1"])).toThrow("unknown argument --frobnicate");
  });
});
