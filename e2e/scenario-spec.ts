import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import type { HarnessModules } from "./harness.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

/** The harness modules that export a record of scenarios. */
type ScenarioModule = "heap-scenarios" | "op-scenarios" | "failure-scenarios" | "tile-scenarios" | "all-to-all-scenarios"
  | "mm-scenarios" | "plan-scenarios" | "fused-scenarios";

/**
 * Playwright tests for a record of scenarios in test/shared/: each runs in the harness page, on
 * `worldSize` (default 4) Web Workers with WebGPU devices, with the rank workers the harness built
 * (e2e/harness.ts).
 */
export function scenarioSpecs<M extends ScenarioModule>(
  title: string, moduleName: M, exportName: keyof HarnessModules[M] & string, names: readonly string[], worldSize = 4,
): void {
  test.describe(title, () => {
    test.beforeEach(async ({ page }) => {
      await openHarness(page);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const skip = await webgpuSkipReason(page);
      if (skip) console.warn(`SKIP: ${skip}`);
      test.skip(skip !== undefined, skip);
    });

    for (const name of names) {
      test(name, async ({ page }) => {
        const result = await page.evaluate(async ({ moduleName, exportName, name, worldSize }) => {
          const h = (globalThis as unknown as HarnessGlobal).__harness;
          const m = (await h.load(moduleName)) as unknown as Record<string, Record<string, (o: unknown) => Promise<string>>>;
          return m[exportName][name]({ backend: "webgpu", worldSize });
        }, { moduleName, exportName, name, worldSize });
        console.log(`  ${name}: ${result}`);
      });
    }
  });
}
