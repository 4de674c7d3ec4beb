import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";

test("the demo page launches 4 ranks, shows their adapters and a completed barrier", async ({ page }) => {
  await page.goto("/e2e/harness.html");
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP: ${skip}`);
  test.skip(skip !== undefined, skip);
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("barrier ok: 4 ranks on webgpu", { timeout: 60_000 });
  const rows = page.locator("#ranks-table tbody tr");
  await expect(rows).toHaveCount(4);
  for (let r = 0; r < 4; r++) {
    await expect(rows.nth(r).locator("td").nth(3)).toHaveText(/^ok \(/);
    await expect(rows.nth(r).locator("td").nth(1)).not.toHaveText("");
  }
  await page.screenshot({ path: "test-results/demo.png" });
});
