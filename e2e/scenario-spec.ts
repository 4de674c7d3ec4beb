import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";

/**
 * Playwright tests for a record of scenarios in test/shared/: each runs in the page, on 4 Web
 * Workers with WebGPU devices, importing `modulePath` from the Vite dev server.
 */
export function scenarioSpecs(title: string, modulePath: string, exportName: string, names: readonly string[]): void {
  test.describe(title, () => {
    test.beforeEach(async ({ page }) => {
      await page.goto("/e2e/harness.html");
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const skip = await webgpuSkipReason(page);
      if (skip) console.warn(`SKIP: ${skip}`);
      test.skip(skip !== undefined, skip);
    });

    for (const name of names) {
      test(name, async ({ page }) => {
        const result = await page.evaluate(async ({ modulePath, exportName, name }) => {
          const m = (await import(modulePath)) as Record<string, Record<string, (o: unknown) => Promise<string>>>;
          return m[exportName][name]({ backend: "webgpu", worldSize: 4 });
        }, { modulePath, exportName, name });
        console.log(`  ${name}: ${result}`);
      });
    }
  });
}
