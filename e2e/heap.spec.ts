// The heap scenarios on 4 Web Workers in Chromium, each with a real WebGPU device (SwiftShader).
import { expect, test } from "@playwright/test";
import { heapScenarios } from "../test/shared/heap-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

test.describe("heap scenarios in Chromium, webgpu, 4 ranks", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/e2e/harness.html");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const name of Object.keys(heapScenarios)) {
    test(name, async ({ page }) => {
      const result = await page.evaluate(async (scenario) => {
        const url = "/test/shared/heap-scenarios.ts"; // served by Vite, imported in the page
        const { heapScenarios } = (await import(url)) as typeof import("../test/shared/heap-scenarios.ts");
        return heapScenarios[scenario]({ backend: "webgpu", worldSize: 4 });
      }, name);
      console.log(`  ${name}: ${result}`);
    });
  }
});

test("launch on a page that is not cross-origin isolated says so", async ({ page }) => {
  await page.route("**/e2e/harness.html", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cross-origin-opener-policy"];
    delete headers["cross-origin-embedder-policy"];
    await route.fulfill({ response, headers });
  });
  await page.goto("/e2e/harness.html");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const message = await page.evaluate(async () => {
    const url = "/src/index.ts";
    const { launch } = (await import(url)) as typeof import("../src/index.ts");
    try {
      await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule: "/test/fixtures/heap-ranks.ts" });
      return "launched";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  expect(message).toMatch(/^LaunchError: launch: this page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/);
});
