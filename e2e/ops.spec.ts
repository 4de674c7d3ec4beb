// The op-library scenarios on 4 Web Workers in Chromium with WebGPU devices (SwiftShader).
import { expect, test } from "@playwright/test";
import { opScenarios } from "../test/shared/op-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

test.describe("op scenarios in Chromium, webgpu, 4 ranks", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/e2e/harness.html");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const name of Object.keys(opScenarios)) {
    test(name, async ({ page }) => {
      const result = await page.evaluate(async (scenario) => {
        const url = "/test/shared/op-scenarios.ts";
        const { opScenarios } = (await import(url)) as typeof import("../test/shared/op-scenarios.ts");
        return opScenarios[scenario]({ backend: "webgpu", worldSize: 4 });
      }, name);
      console.log(`  ${name}: ${result}`);
    });
  }
});
