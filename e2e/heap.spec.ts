// The heap scenarios on 4 Web Workers in Chromium, each with a real WebGPU device (SwiftShader).
import { expect, test } from "@playwright/test";
import { heapScenarios } from "../test/shared/heap-scenarios.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("heap scenarios in Chromium, webgpu, 4 ranks", "heap-scenarios", "heapScenarios",
  Object.keys(heapScenarios));

test("launch on a page that is not cross-origin isolated says so", async ({ page }) => {
  await page.route("**/e2e/harness.html", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cross-origin-opener-policy"];
    delete headers["cross-origin-embedder-policy"];
    await route.fulfill({ response, headers });
  });
  await openHarness(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const message = await page.evaluate(async () => {
    const { launch } = await (globalThis as unknown as HarnessGlobal).__harness.load("index");
    try {
      await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule: "/test/fixtures/heap-ranks.ts" });
      return "launched";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  expect(message).toMatch(/^LaunchError: launch: this page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/);
});

// The scenarios above launch the rank workers the harness built (rankWorker). A rankModule is
// loaded by the library's own rank worker, which works where files are served as they are (the
// dev server) and cannot work in a production build: there it must fail saying what to do.
test("rankModule: loaded by the library's rank worker on the dev server; a build's LaunchError names rankWorker", async ({ page }) => {
  await openHarness(page);
  const got = await page.evaluate(async () => {
    const h = (globalThis as unknown as HarnessGlobal).__harness;
    h.useRankWorkers({}); // the scenarios launch with their rankModule again
    const { heapScenarios } = await h.load("heap-scenarios");
    try {
      return { bundled: h.bundled, result: await heapScenarios.handshake({ backend: "cpu", worldSize: 2 }) };
    } catch (e) {
      return { bundled: h.bundled, error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  });
  expect(got.bundled).toBe(test.info().project.name === "built");
  if (!got.bundled) {
    expect(got.error).toBeUndefined();
    expect(got.result).toBe("rank 0 read 42");
  } else {
    console.log(`  ${got.error}`);
    expect(got.error).toMatch(/^LaunchError: [^]*rankWorker/);
  }
});
