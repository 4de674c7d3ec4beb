// The MoE layer of deno/examples/moe.ts in Chromium: Web Workers with WebGPU devices (SwiftShader), the
// experts' FFN in a WGSL program on each rank's device; test/shared/moe-scenarios.ts, examples/moe/.
import { test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

test.describe("MoE layer in Chromium, webgpu: all_to_all_vdev_2d + major_align, WGSL experts, all_to_all_vdev_2d_offset", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  // 4 ranks here; the odd world sizes run on Node (test/examples/moe.test.ts) and Deno (examples_test.ts).
  for (const worldSize of [4]) {
    test(`${worldSize} ranks: the single-rank layer's output, some experts empty, blocks padded`, async ({ page }) => {
      const summary = await page.evaluate(async (worldSize) => {
        const m = await (globalThis as unknown as HarnessGlobal).__harness.load("moe-scenarios");
        return m.runMoeScenario({ backend: "webgpu", worldSize });
      }, worldSize);
      console.log(`  ${summary}`);
    });
  }
});
