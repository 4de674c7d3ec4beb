// The demo page's frame and Launch panel, as a user meets them: launching worlds of several sizes
// through the form, the form's field errors, the banner where the page is not cross-origin
// isolated or has no WebGPU (controls disabled, cpu still usable), the built demo isolating itself
// with coi-serviceworker, and every panel present and inside the page at 1280 px. The last test
// saves the full-page screenshot scripts/demo-screenshot.mjs copies to docs/demo.png.
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";
import { webgpuSkipReason } from "./gpu.ts";
import { openHarness } from "./harness-page.ts";

const PANELS = [
  ["launch-panel", "Launch"],
  ["op-panel", "Op runner"],
  ["heap-panel", "Heap map"],
  ["bench-panel", "Benchmark"],
  ["train-panel", "Data-parallel training"],
  ["particles-panel", "Distributed particles"],
] as const;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

async function attach(page: Page, name: string, selector = "#launch-panel"): Promise<void> {
  await test.info().attach(name, { body: await page.locator(selector).screenshot(), contentType: "image/png" });
}

/** Reads the Launch panel's table: one row per rank, its cells' text. */
async function readTable(page: Page): Promise<{ rank: string; adapter: string; features: string; barrier: string }[]> {
  return page.locator("#launch-table tbody tr").evaluateAll((rows) => rows.map((r) => {
    const [rank, adapter, features, barrier] = [...r.querySelectorAll("td")].map((c) => c.textContent ?? "");
    return { rank, adapter, features, barrier };
  }));
}

/** Launches `n` ranks through the form and checks every row of the table the panel then shows. */
async function launchThroughForm(page: Page, n: number, backend: "webgpu" | "cpu", heapMiB?: number): Promise<void> {
  await page.locator("#launch-ranks").fill(String(n));
  await page.locator("#launch-backend").selectOption(backend);
  if (heapMiB !== undefined) await page.locator("#launch-heap").selectOption(String(heapMiB << 20));
  await expect(page.locator("#launch-run")).toBeEnabled();
  await page.locator("#launch-run").click();
  await expect(page.locator("#launch-status")).toHaveText(`barrier ok: ${plural(n, "rank")} on ${backend}`, { timeout: 60_000 });
  const rows = await readTable(page);
  expect(rows.map((r) => r.rank)).toEqual(Array.from({ length: n }, (_, r) => String(r)));
  for (const row of rows) {
    // Every rank met the barrier and then read slot p = p + 1 from each peer p's slab.
    const m = /^ok \((\d+\.\d\d) ms, saw all (\d+)\)$/.exec(row.barrier);
    expect(m, `rank ${row.rank}'s barrier cell: ${row.barrier}`).not.toBeNull();
    expect(Number(m![2])).toBe(n);
    if (backend === "webgpu") {
      expect(row.adapter).not.toBe("");
      expect(row.adapter).not.toContain("cpu (no GPU device)");
    } else {
      expect(row.adapter).toBe("cpu (no GPU device)");
      expect(row.features).toBe("—");
    }
  }
  if (heapMiB !== undefined) {
    await expect(page.locator("#launch-total")).toHaveText(`${plural(n, "rank")} × ${heapMiB} MiB = ${n * heapMiB} MiB of symmetric heap`);
  }
  console.log(`  ${n} ranks on ${backend}: ${rows.map((r) => r.barrier.replace(/, saw.*/, ")")).join(" ")}; adapter: ${rows[0].adapter}`);
}

/** A fresh context whose responses lose their COOP/COEP headers, as on a static host. */
async function contextWithoutIsolation(browser: import("@playwright/test").Browser, serviceWorkers: "block" | "allow"): Promise<BrowserContext> {
  const context = await browser.newContext({ serviceWorkers, baseURL: test.info().project.use.baseURL });
  await context.route("**/*", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cross-origin-opener-policy"];
    delete headers["cross-origin-embedder-policy"];
    await route.fulfill({ response, headers });
  });
  return context;
}

/** Skips (saying why) where this Chromium has no WebGPU adapter, as openDemo does. */
async function skipWithoutWebgpu(page: Page): Promise<void> {
  await openHarness(page);
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP: ${skip}`);
  test.skip(skip !== undefined, skip);
}

test("the Launch panel launches 1, 2 and 8 ranks on webgpu through the form and shows each rank's adapter and barrier", async ({ page }) => {
  await openDemo(page);
  expect((await readTable(page)).length).toBe(4);
  await expect(page.locator("#banner")).toBeHidden();
  await expect(page.locator("#launch-run")).toHaveText("relaunch");
  if (test.info().project.name === "built") {
    // The built demo carries coi-serviceworker; where the server sends COOP/COEP it registers nothing.
    await expect(page.locator('script[src$="coi-serviceworker.js"]')).toHaveCount(1);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  }
  await launchThroughForm(page, 1, "webgpu");
  await launchThroughForm(page, 2, "webgpu", 4);
  await launchThroughForm(page, 8, "webgpu", 1);
  await attach(page, "launch panel, 8 ranks on webgpu");
  await launchThroughForm(page, 3, "cpu", 16);
  // The next panels find the world the form launched.
  await launchThroughForm(page, 4, "webgpu", 32);
});

test("the Launch panel names the world size field in its errors, in red, wrapped, and does not launch", async ({ page }) => {
  await openDemo(page);
  const error = page.locator("#launch-ranks-error");
  await expect(error).toBeHidden();
  for (const [value, message] of [
    ["17", "world size must be 1–16 (a whole number of ranks), not “17”"],
    ["0", "world size must be 1–16 (a whole number of ranks), not “0”"],
    ["2.5", "world size must be 1–16 (a whole number of ranks), not “2.5”"],
    ["", "world size must be 1–16: the field is empty"],
  ]) {
    await page.locator("#launch-ranks").fill(value);
    await expect(error).toHaveText(message);
    await expect(page.locator("#launch-ranks")).toHaveAttribute("aria-invalid", "true");
  }
  await page.locator("#launch-ranks").fill("1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
  await page.locator("#launch-run").click();
  await expect(page.locator("#launch-status")).toHaveText("not launched: fix the world size field first");
  const look = await error.evaluate((e) => ({ color: getComputedStyle(e).color, fits: e.scrollWidth <= e.clientWidth }));
  expect(look.color).toBe("rgb(179, 38, 30)");
  expect(look.fits, "the long error wraps inside its box").toBe(true);
  expect(await page.locator("#launch-status").evaluate((e) => getComputedStyle(e).color)).toBe("rgb(179, 38, 30)");
  await attach(page, "launch panel, world size error");
  // Nothing was relaunched: the 4 ranks are still up, and a valid value clears the error.
  expect((await readTable(page)).length).toBe(4);
  await page.locator("#launch-ranks").fill("4");
  await expect(error).toBeHidden();
  await expect(page.locator("#launch-ranks")).toHaveAttribute("aria-invalid", "false");
});

test("served without COOP/COEP (service workers blocked), the banner says why and what fixes it, and the controls are disabled", async ({ browser }) => {
  const context = await contextWithoutIsolation(browser, "block");
  const page = await context.newPage();
  try {
    await page.goto("/");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const banner = page.locator("#banner-isolation");
    await expect(banner).toBeVisible();
    await expect(banner).toContainText("not cross-origin isolated");
    await expect(banner).toContainText("SharedArrayBuffer");
    await expect(banner).toContainText("Cross-Origin-Opener-Policy: same-origin");
    await expect(banner).toContainText("Cross-Origin-Embedder-Policy: require-corp");
    if (test.info().project.name === "built") await expect(banner).toContainText("service workers are blocked");
    for (const id of ["#launch-ranks", "#launch-backend", "#launch-heap", "#launch-run"]) await expect(page.locator(id)).toBeDisabled();
    await expect(page.locator("#launch-status")).toHaveText("not launched: this page is not cross-origin isolated (see the banner above)");
    expect(await readTable(page)).toEqual([]);
    // No panel offers a button that could work: without a world every one must be disabled.
    const enabled = await page.locator(".panel button:enabled").evaluateAll((bs) => bs.map((b) => `${b.closest("section")?.id} ${b.id || b.textContent}`));
    expect.soft(enabled, "buttons left enabled without cross-origin isolation").toEqual([]);
    const body = await page.screenshot({ path: `test-results/demo-no-isolation-${test.info().project.name}.png` });
    await test.info().attach("banner without COOP/COEP", { body, contentType: "image/png" });
  } finally {
    await context.close();
  }
});

test("the built demo isolates itself with coi-serviceworker where the server sends no COOP/COEP", async ({ browser, page }) => {
  test.skip(test.info().project.name !== "built", "only builds ship coi-serviceworker (the dev server sends the headers itself)");
  await skipWithoutWebgpu(page);
  const context = await contextWithoutIsolation(browser, "allow");
  const p = await context.newPage();
  try {
    await p.goto("/");
    // The first load is not isolated; the script registers the worker and reloads the page once.
    await expect(p.locator("#launch-status")).toHaveText("barrier ok: 4 ranks on webgpu", { timeout: 60_000 });
    expect(await p.evaluate(() => ({ isolated: crossOriginIsolated, controlled: navigator.serviceWorker.controller !== null })))
      .toEqual({ isolated: true, controlled: true });
    await expect(p.locator("#banner")).toBeHidden();
  } finally {
    await context.close();
  }
});

for (const [how, script] of [
  ["navigator.gpu is missing", () => Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined, configurable: true })],
  ["no adapter", () => { if (typeof GPU !== "undefined") GPU.prototype.requestAdapter = async () => null; }],
] as const) {
  test(`without WebGPU in the page (${how}) the banner says so, webgpu is disabled and the cpu backend launches`, async ({ page }) => {
    await page.addInitScript(script);
    await page.goto("/");
    const banner = page.locator("#banner-webgpu");
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(how === "no adapter" ? "requestAdapter() found no adapter" : "navigator.gpu is missing");
    await expect(banner).toContainText("--enable-unsafe-webgpu");
    await expect(page.locator("#banner-isolation")).toHaveCount(0);
    await expect(page.locator("#launch-status")).toHaveText("barrier ok: 4 ranks on cpu", { timeout: 60_000 });
    await expect(page.locator("#launch-backend")).toHaveValue("cpu");
    await expect(page.locator('#launch-backend option[value="webgpu"]')).toBeDisabled();
    for (const id of ["#launch-ranks", "#launch-backend", "#launch-heap", "#launch-run"]) await expect(page.locator(id)).toBeEnabled();
    expect((await readTable(page)).map((r) => r.adapter)).toEqual(Array(4).fill("cpu (no GPU device)"));
    await launchThroughForm(page, 2, "cpu");
    await attach(page, `banner and launch panel without WebGPU (${how})`, "body");
  });
}

test("every panel is on the page, built, and inside the page at 1280 px", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openDemo(page);
  for (const [id, title] of PANELS) {
    const section = page.locator(`section#${id}`);
    await expect.soft(section, `section #${id}`).toHaveCount(1);
    await expect.soft(section.locator(":scope > h2"), `#${id}'s heading`).toHaveText(title, { timeout: 1000 });
    const content = await section.evaluate((s) => [...s.children].filter((c) => c.tagName !== "H2").map((c) => c.textContent ?? "").join(" ").trim()).catch(() => "");
    expect.soft(content, `#${id} has content besides its heading`).not.toBe("");
    expect.soft(await section.textContent().catch(() => ""), `#${id} is built`).not.toContain("not built yet");
    // Nothing sticks out of its panel (a panel scrolls sideways only if something does).
    const overflow = await section.evaluate((s) => s.scrollWidth - s.clientWidth).catch(() => 0);
    expect.soft(overflow, `#${id}: content wider than the panel by ${overflow} px`).toBeLessThanOrEqual(0);
  }
  expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), "page width at 1280 px").toBeLessThanOrEqual(1280);
  const path = `test-results/demo-full-${test.info().project.name}.png`;
  const body = await page.screenshot({ path, fullPage: true });
  await test.info().attach("the demo page (full page, 1280 px)", { body, contentType: "image/png" });
});

// The README's screenshot (scripts/demo-screenshot.mjs): every panel after it has run once, as a
// newcomer clicking through the page would see it — and each run's verdict read from the page.
test("a tour: an op, the heap map's two-shot, a benchmark, training and the particles, each verified on the page", async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await openDemo(page);
  await page.locator("#op-run").click();
  await expect(page.locator("#op-panel tbody tr").first().locator("td").nth(4)).toHaveText(/^verified \(/, { timeout: 60_000 });
  await page.locator("#heap-slow").uncheck();
  await page.locator("#heap-two-shot").click();
  await expect(page.locator("#heap-status")).toHaveText(/^verified: /, { timeout: 60_000 });
  for (const [id, value] of [["min", "8"], ["max", "64K"], ["factor", "8"], ["iters", "2"]]) await page.locator(`#bench-${id}`).fill(value);
  await page.locator("#bench-run").click();
  await expect(page.locator("#bench-status")).toHaveText(/^done: every result checked, 0 wrong/, { timeout: 120_000 });
  await page.locator("#train-run").click();
  await expect(page.locator("#train-status")).toHaveText("done: 4 ranks and 1 rank agree", { timeout: 150_000 });
  await page.locator("#particles-start").click();
  await expect(page.locator("#particles-status")).toHaveText(/^running: /, { timeout: 30_000 });
  await page.waitForTimeout(2500); // let the bodies move: the picture, not a measurement
  const path = `test-results/demo-tour-${test.info().project.name}.png`;
  const body = await page.screenshot({ path, fullPage: true });
  await test.info().attach("the demo page after a tour of every panel", { body, contentType: "image/png" });
  await page.locator("#particles-stop").click();
  await expect(page.locator("#particles-status")).toHaveText(/^stopped at step \d+$/, { timeout: 30_000 });
});
