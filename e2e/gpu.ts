import { test, type Page } from "@playwright/test";
import type { DeviceOutcome } from "../test/shared/with-device.ts";
import type { HarnessModules } from "./harness.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

/** Why WebGPU tests cannot run in this Chromium (asked from a Web Worker), or undefined. */
export async function webgpuSkipReason(page: Page): Promise<string | undefined> {
  return page.evaluate(async () => {
    const src = `(async () => {
      if (!("gpu" in navigator)) return postMessage("navigator.gpu is missing in workers");
      const a = await navigator.gpu.requestAdapter();
      postMessage(a ? "" : "no WebGPU adapter (is Chromium started with --enable-unsafe-webgpu?)");
    })()`;
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    const w = new Worker(url);
    const reason = await new Promise<string>((res) => (w.onmessage = (e) => res(String(e.data))));
    w.terminate();
    return reason === "" ? undefined : reason;
  });
}

/**
 * The body of a Playwright test that runs `module[exportName][key](device, ctx)` in the harness
 * page on its own device, through test/shared/with-device.ts (error scopes, every buffer and the
 * device destroyed afterwards): `test(name, ({ page }) => runWithDevice(page, name, ...))`.
 * `moduleName` is one of the harness's modules (e2e/harness.ts). With no adapter the test is
 * marked skipped with the reason (`test.skip(true, reason)`, in the report's annotations) and the
 * reason is printed (`SKIP <title>: <reason>`); a string result is printed as the summary.
 */
export async function runWithDevice(page: Page, title: string, moduleName: keyof HarnessModules, exportName: string, key: string): Promise<void> {
  await openHarness(page);
  const outcome = await page.evaluate(async ({ title, moduleName, exportName, key }) => {
    const h = (globalThis as unknown as HarnessGlobal).__harness;
    const { withDevice } = await h.load("with-device");
    const m = (await h.load(moduleName)) as unknown as Record<string, Record<string, (d: GPUDevice, ctx: unknown) => Promise<unknown>>>;
    const fn = m[exportName]?.[key];
    if (fn === undefined) throw new Error(`harness module ${moduleName} has no ${exportName}.${key}`);
    return withDevice(title, fn);
  }, { title, moduleName, exportName, key }) as DeviceOutcome<unknown>;
  if (outcome.status === "skipped") {
    console.warn(`SKIP ${title}: ${outcome.reason}`);
    test.skip(true, outcome.reason);
    return;
  }
  const summary = typeof outcome.value === "string" ? `${outcome.value}; ` : "";
  console.log(`  ${title}: ${summary}${outcome.buffers} buffers tracked and destroyed, device ${outcome.lost}`);
}
