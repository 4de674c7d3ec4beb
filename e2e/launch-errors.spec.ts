// What launch says in Chromium when the rank functions cannot be loaded: the URL (shortened), what
// the server gave, and the fix — on the dev server and in the built pages alike.
import { expect, test } from "@playwright/test";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

async function launchError(page: import("@playwright/test").Page, target: { rankModule?: string; rankWorker?: string }): Promise<string> {
  return page.evaluate(async (target) => {
    const { launch } = await (globalThis as unknown as HarnessGlobal).__harness.load("index");
    try {
      const world = await launch({ worldSize: 2, heapBytes: 4096, backend: "cpu", ...target });
      await world.close();
      return "launched";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }, target);
}

test("a rank worker that is not there: LaunchError with its URL, what the server answered and the fix", async ({ page }) => {
  await openHarness(page);
  const m = await launchError(page, { rankWorker: "/no/such/ranks.worker.js" });
  console.log(`  ${m}`);
  // Vite's servers answer a missing file with the app's index.html (a single-page app's fallback).
  expect(m).toMatch(/^LaunchError: launch: rank \d: could not load the rank worker http:\/\/localhost:\d+\/no\/such\/ranks\.worker\.js \(received: (HTTP 404|HTTP 200 with content type text\/html)\)/);
  expect(m).toMatch(/Likely fix: (the server has no such file|the server answered with an HTML page)/);
});

test("rankModule: a bundler's data: URL on the dev server, the missing library worker in the built pages; both short, with the fix", async ({ page }) => {
  await openHarness(page);
  const dataUrl = `data:video/mp2t;base64,${"QUJD".repeat(2000)}`;
  const m = await launchError(page, { rankModule: dataUrl });
  console.log(`  ${m.slice(0, 400)}…`);
  expect(m.startsWith("LaunchError: ")).toBe(true);
  expect(m.length).toBeLessThan(1500);
  expect(m).not.toContain("QUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJD");
  expect(m).toContain("?worker&url");
  if (test.info().project.name === "built") {
    expect(m).toMatch(/could not load the library's own rank worker, which a rankModule needs, http:\/\/localhost:\d+\/\S+/);
    expect(m).toContain("rankModule cannot work there");
  } else {
    expect(m).toContain(`a data: URL of type video/mp2t, ${dataUrl.length} characters`);
  }
});
