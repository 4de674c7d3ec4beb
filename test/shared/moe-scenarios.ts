/**
 * The MoE layer of deno/examples/moe.ts (examples/moe/moe-ranks.ts) as a scenario, run on Node
 * (test/examples/moe.test.ts: cpu, and webgpu on Dawn) and in Chromium (e2e/moe.spec.ts, through
 * the rank worker the harness builds; Deno runs the example itself, deno/tests/examples_test.ts): dispatch with
 * all_to_all_vdev_2d + major_align, the experts' FFN, combine with all_to_all_vdev_2d_offset,
 * compared with the single-rank layer; some experts must be empty and some blocks padded.
 */
import { type BackendName, launch } from "../../src/index.ts";
import { type MoeConfig, moeConfig, moeHeapBytes } from "../../examples/moe/config.ts";
import type { MoeRankResult } from "../../examples/moe/moe-ranks.ts";
import { checkMoe, type MoeCheck } from "../../examples/moe/verify.ts";
import { rankSource } from "./rank-source.ts";

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../../examples/moe/moe-ranks.ts", import.meta.url);

/** One layer call on a fresh world, and what checkMoe found. */
export interface MoeRun {
  readonly cfg: MoeConfig;
  readonly results: MoeRankResult[];
  readonly check: MoeCheck;
}

/** Launches `worldSize` ranks, runs the layer once (`calls` times: the same answer each time), checks it. */
export async function runMoe(o: {
  backend: BackendName; worldSize: number; config?: Partial<Omit<MoeConfig, "worldSize">>; calls?: number;
}): Promise<MoeRun> {
  const cfg = moeConfig(o.worldSize, o.config);
  const world = await launch({
    worldSize: o.worldSize, heapBytes: moeHeapBytes(cfg), backend: o.backend, timeoutMs: 60_000,
    ...rankSource("moe-ranks", rankModule),
  });
  try {
    let results: MoeRankResult[] = [];
    for (let c = 0; c < (o.calls ?? 1); c++) results = await world.run<MoeRankResult>("moeLayer", cfg);
    return { cfg, results, check: checkMoe(cfg, results) };
  } finally {
    await world.close();
  }
}

/** Throws with every problem unless the layer is verified, some expert empty and some block padded; else a summary line. */
export async function runMoeScenario(o: { backend: BackendName; worldSize: number; config?: Partial<Omit<MoeConfig, "worldSize">> }): Promise<string> {
  const { cfg, results, check } = await runMoe(o);
  const problems = [...check.problems];
  if (check.emptyExperts.length === 0) problems.push("no expert was empty");
  if (cfg.majorAlign > 1 && check.paddedExperts === 0) problems.push("no expert block was padded to major_align");
  const wanted = o.backend === "webgpu" ? "wgsl" : "host";
  for (const [r, res] of results.entries()) if (res.ffn !== wanted) problems.push(`rank ${r}: the FFN ran on ${res.ffn}, expected ${wanted}`);
  if (problems.length > 0) throw new Error(`MoE layer on ${o.worldSize} ranks (${o.backend}): ${problems.length} problem(s):\n${problems.join("\n")}`);
  return `${o.worldSize} ranks, ${cfg.tokensPerRank} tokens each, experts ${check.emptyExperts.join(",")} empty, ` +
    `${check.paddingRows} padding rows: max error ${check.maxError.toExponential(2)} (verified)`;
}
