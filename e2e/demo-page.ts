import { expect, type Page, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { openHarness } from "./harness-page.ts";

/** Opens the demo page once it has launched its 4 ranks; skips (saying why) where there is no WebGPU adapter. */
export async function openDemo(page: Page): Promise<void> {
  await openHarness(page);
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP: ${skip}`);
  test.skip(skip !== undefined, skip);
  await page.goto("/");
  // The Launch panel's status (demo/panels/launch-panel.ts) once every rank met at the barrier
  // and saw every peer's slot of the shared heap.
  await expect(page.locator("#launch-status")).toHaveText("barrier ok: 4 ranks on webgpu", { timeout: 60_000 });
}

/** Relaunches the demo's ranks through the Launch panel's form and waits for its barrier. */
export async function relaunchDemo(page: Page, worldSize: number, backend: "webgpu" | "cpu"): Promise<void> {
  await page.locator("#launch-ranks").fill(String(worldSize));
  await page.locator("#launch-backend").selectOption(backend);
  await page.locator("#launch-run").click();
  await expect(page.locator("#launch-status")).toHaveText(`barrier ok: ${worldSize} ranks on ${backend}`, { timeout: 60_000 });
}
