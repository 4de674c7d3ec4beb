// The WGSL reduction kernels in Chromium (SwiftShader: no shader-f16, so float16 must be refused
// with the clear error), on a device from the page's main thread, checked bitwise against the
// host oracle.
import { expect, test } from "@playwright/test";
import { wgslScenarios } from "../test/shared/wgsl-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

test.describe("wgsl reduction kernels in Chromium, webgpu", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/e2e/harness.html");
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const name of Object.keys(wgslScenarios)) {
    test(name, async ({ page }) => {
      const result = await page.evaluate(async (scenario) => {
        const url = "/test/shared/wgsl-scenarios.ts"; // served by Vite, imported in the page
        const { acquireTestDevice, wgslScenarios } = (await import(url)) as typeof import("../test/shared/wgsl-scenarios.ts");
        const device = await acquireTestDevice();
        try {
          return await wgslScenarios[scenario](device);
        } finally {
          device.destroy();
        }
      }, name);
      expect(result).not.toBe("");
      console.log(`  ${name}: ${result}`);
    });
  }
});
