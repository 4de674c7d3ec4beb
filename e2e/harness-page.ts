import type { Page } from "@playwright/test";
import type { Harness } from "./harness.ts";

/**
 * Opens the harness page (e2e/harness.ts) and waits until its modules and rank workers are
 * listed on `globalThis.__harness`; the same on the dev server and on the built pages.
 */
export async function openHarness(page: Page): Promise<void> {
  await page.goto("/e2e/harness.html");
  await page.waitForFunction(() => "__harness" in globalThis, undefined, { timeout: 30_000 });
}

/**
 * The page's global scope with the harness, for `page.evaluate` callbacks (they are sent as
 * source, so they cannot call a helper of this file):
 * `const h = (globalThis as unknown as HarnessGlobal).__harness; const m = await h.load("heap-scenarios");`
 */
export type HarnessGlobal = typeof globalThis & { __harness: Harness };
