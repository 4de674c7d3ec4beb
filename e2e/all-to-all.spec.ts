// The all-to-all samples and error cases (issue 11) on 3 Web Workers in Chromium (an odd world), each with a real
// WebGPU device (SwiftShader); the full matrix runs on Node (test/collectives/all-to-all-matrix.test.ts).
import { expect, test } from "@playwright/test";
import { a2aScenarios } from "../test/shared/all-to-all-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

test.describe("all-to-all in Chromium, webgpu, 3 ranks", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const name of Object.keys(a2aScenarios)) {
    test(name, async ({ page }) => {
      const result = await page.evaluate(async (name) => {
        const h = (globalThis as unknown as HarnessGlobal).__harness;
        const m = await h.load("all-to-all-scenarios");
        return m.a2aScenarios[name]({ backend: "webgpu", worldSize: 3 });
      }, name);
      console.log(`  ${name}: ${result}`);
    });
  }
});
