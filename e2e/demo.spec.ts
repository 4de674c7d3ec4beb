import { expect, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";

test("the demo page launches 4 ranks, shows their adapters and a completed barrier", async ({ page }) => {
  await openDemo(page);
  const rows = page.locator("#ranks-table tbody tr");
  await expect(rows).toHaveCount(4);
  for (let r = 0; r < 4; r++) {
    await expect(rows.nth(r).locator("td").nth(3)).toHaveText(/^ok \(/);
    await expect(rows.nth(r).locator("td").nth(1)).not.toHaveText("");
  }
  await page.screenshot({ path: `test-results/demo-${test.info().project.name}.png` });
});
