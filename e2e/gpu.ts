import { test, type Page } from "@playwright/test";
import type { DeviceOutcome } from "../test/shared/with-device.ts";

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
 * `modulePath` is served by the Vite dev server. With no adapter the test is marked skipped with
 * the reason (`test.skip(true, reason)`, in the report's annotations) and the reason is printed
 * (`SKIP <title>: <reason>`); a string result is printed as the summary.
 */
export async function runWithDevice(page: Page, title: string, modulePath: string, exportName: string, key: string): Promise<void> {
  await page.goto("/e2e/harness.html");
  const outcome = await page.evaluate(async ({ title, modulePath, exportName, key }) => {
    const helper = "/test/shared/with-device.ts";
    const { withDevice } = (await import(helper)) as typeof import("../test/shared/with-device.ts");
    const m = (await import(modulePath)) as Record<string, Record<string, (d: GPUDevice, ctx: unknown) => Promise<unknown>>>;
    const fn = m[exportName]?.[key];
    if (fn === undefined) throw new Error(`${modulePath} has no ${exportName}.${key}`);
    return withDevice(title, fn);
  }, { title, modulePath, exportName, key }) as DeviceOutcome<unknown>;
  if (outcome.status === "skipped") {
    console.warn(`SKIP ${title}: ${outcome.reason}`);
    test.skip(true, outcome.reason);
    return;
  }
  const summary = typeof outcome.value === "string" ? `${outcome.value}; ` : "";
  console.log(`  ${title}: ${summary}${outcome.buffers} buffers tracked and destroyed, device ${outcome.lost}`);
}
