// The heap scenarios on 4 Web Workers in Chromium, each with a real WebGPU device (SwiftShader).
import { expect, test } from "@playwright/test";
import { heapScenarios } from "../test/shared/heap-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("heap scenarios in Chromium, webgpu, 4 ranks", "/test/shared/heap-scenarios.ts", "heapScenarios",
  Object.keys(heapScenarios));

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
