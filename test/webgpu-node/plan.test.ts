/**
 * rank.plan on Node's webgpu backend (Dawn on SwiftShader), 3 worker_threads ranks: the shared
 * plan scenarios (test/fixtures/plan-scenarios.ts) that Deno and Chromium run too.
 */
import { describe, it } from "vitest";
import { planScenarios } from "../fixtures/plan-scenarios.ts";
import { probeNodeGpu } from "./node-gpu.ts";

const { skip } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP Node webgpu plan tests: ${skip}`);
const maybe = skip === undefined ? describe : describe.skip;

maybe("rank.plan, Node, webgpu (Dawn on SwiftShader)", () => {
  for (const [name, scenario] of Object.entries(planScenarios)) {
    it(name, async () => {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 3 })}`);
    }, 120_000);
  }
});
