// webshmem::host_all_reduce_ in Chromium: Web Workers with WebGPU devices (SwiftShader).
import { test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

test.describe("host_all_reduce_ in Chromium, webgpu", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const worldSize of [4, 3]) {
    test(`${worldSize} ranks: bit-exact and identical on every rank`, async ({ page }) => {
      const summary = await page.evaluate(async (worldSize) => {
        const m = await (globalThis as unknown as HarnessGlobal).__harness.load("host-scenarios");
        return m.runHostScenario(worldSize);
      }, worldSize);
      console.log(`  ${summary}`);
    });
  }
});
