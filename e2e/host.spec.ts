// webshmem::host_all_reduce_ in Chromium: Web Workers with WebGPU devices (SwiftShader).
import { test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";

test.describe("host_all_reduce_ in Chromium, webgpu", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/e2e/harness.html");
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const worldSize of [4, 3]) {
    test(`${worldSize} ranks: bit-exact and identical on every rank`, async ({ page }) => {
      const summary = await page.evaluate(async (worldSize) => {
        const url = "/test/shared/host-scenarios.ts";
        const m = (await import(url)) as typeof import("../test/shared/host-scenarios.ts");
        return m.runHostScenario(worldSize);
      }, worldSize);
      console.log(`  ${summary}`);
    });
  }
});
