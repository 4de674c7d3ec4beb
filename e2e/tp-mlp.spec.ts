// The tensor-parallel MLP of deno/examples/tensor-parallel-mlp.ts in Chromium: Web Workers with WebGPU
// devices (SwiftShader), eager, planned (rank.plan) and fused steps; test/shared/tp-mlp-scenarios.ts,
// examples/tp-mlp/. Each mode against the single-rank float64 MLP within its float32 error bound,
// planned bit for bit eager, 0 realizations on replay, 4 per eager step.
import { test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

test.describe("tensor-parallel MLP in Chromium, webgpu: eager, planned and fused steps", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  // 2 ranks here; 4 on Node (test/examples/tp-mlp.test.ts, cpu) and on Deno (examples_test.ts, cpu).
  test("2 ranks: every mode the single-rank MLP's output, planned bit for bit eager, 0 realizations on replay", async ({ page }) => {
    const summary = await page.evaluate(async () => {
      const m = await (globalThis as unknown as HarnessGlobal).__harness.load("tp-mlp-scenarios");
      return m.runMlpScenario({ backend: "webgpu", worldSize: 2 });
    });
    console.log(`  ${summary}`);
  });
});
