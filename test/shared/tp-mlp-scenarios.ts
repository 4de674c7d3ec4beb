/**
 * The tensor-parallel MLP of deno/examples/tensor-parallel-mlp.ts (examples/tp-mlp/mlp-ranks.ts)
 * as a scenario, run on Node (test/examples/tp-mlp.test.ts, cpu) and in Chromium
 * (e2e/tp-mlp.spec.ts, through the rank worker the harness builds, examples/tp-mlp/mlp-ranks.worker.ts; Deno runs the example itself,
 * deno/tests/examples_test.ts): eager, planned and fused steps, each compared with the single-rank
 * float64 MLP within its float32 error bound, planned bit for bit eager, the realizations counted.
 */
import { type BackendName, launch } from "../../src/index.ts";
import { type MlpConfig, mlpConfig, mlpHeapBytes } from "../../examples/tp-mlp/config.ts";
import type { MlpRankResult, MlpRunOptions } from "../../examples/tp-mlp/mlp-ranks.ts";
import { checkMlp, type MlpCheck } from "../../examples/tp-mlp/verify.ts";
import { rankSource } from "./rank-source.ts";

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../../examples/tp-mlp/mlp-ranks.ts", import.meta.url);

/** One run on a fresh world, and what checkMlp found. */
export interface MlpRun {
  readonly cfg: MlpConfig;
  readonly results: MlpRankResult[];
  readonly check: MlpCheck;
}

/** Launches `worldSize` ranks, runs every mode (`options`), checks it. */
export async function runMlp(o: {
  backend: BackendName; worldSize: number; config?: Partial<Omit<MlpConfig, "worldSize">>; options?: MlpRunOptions;
}): Promise<MlpRun> {
  const cfg = mlpConfig(o.worldSize, o.config);
  const world = await launch({
    worldSize: o.worldSize, heapBytes: mlpHeapBytes(cfg), backend: o.backend, timeoutMs: 60_000,
    ...rankSource("tp-mlp-ranks", rankModule),
  });
  try {
    const results = await world.run<MlpRankResult>("tpMlp", cfg, o.options ?? { steps: 2 });
    return { cfg, results, check: checkMlp(cfg, results) };
  } finally {
    await world.close();
  }
}

/** Throws with every problem unless verified on the backend asked for; else a summary line. */
export async function runMlpScenario(o: { backend: BackendName; worldSize: number; config?: Partial<Omit<MlpConfig, "worldSize">> }): Promise<string> {
  const { cfg, results, check } = await runMlp(o);
  const problems = [...check.problems];
  for (const [r, res] of results.entries()) if (res.backend !== o.backend) problems.push(`rank ${r} ran on ${res.backend}, expected ${o.backend}`);
  if (problems.length > 0) throw new Error(`tp-mlp on ${o.worldSize} ranks (${o.backend}): ${problems.length} problem(s):\n${problems.join("\n")}`);
  return `${o.worldSize} ranks, ${cfg.tokens} tokens × ${cfg.hidden}, ffn ${cfg.ffn}: ` +
    check.modes.map((m) => `${m.mode} ${m.realizationsPerStep} realizations/step, max error ${m.maxError.toExponential(2)}`).join("; ") +
    " (verified)";
}
