import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { openHarness } from "./harness-page.ts";

test("the demo page launches 4 ranks, shows their adapters and a completed barrier", async ({ page }) => {
  await openHarness(page);
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
  await page.screenshot({ path: `test-results/demo-${test.info().project.name}.png` });
});

test("the demo's benchmark panel runs a small sweep in the page's workers, every result checked", async ({ page }) => {
  await openHarness(page);
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP: ${skip}`);
  test.skip(skip !== undefined, skip);
  await page.goto("/");
  await expect(page.locator("#status")).toHaveText("barrier ok: 4 ranks on webgpu", { timeout: 60_000 });
  for (const [id, value] of [["ranks", "2"], ["min", "8"], ["max", "1K"], ["factor", "16"], ["iters", "2"], ["warmup", "1"]]) {
    await page.locator(`#bench-${id}`).fill(value);
  }
  await page.locator("#bench-run").click();
  await expect(page.locator("#bench-status")).toHaveText("done: every result checked, 0 wrong", { timeout: 120_000 });
  const table = await page.locator("#bench-output").textContent();
  expect(table).toMatch(/#\s+size\s+count\s+type/);
  expect(table).toMatch(/naive_postmessage/); // the baselines' own workers (src/bench/naive/) ran too
  console.log(table!.split("\n").filter((l) => /^\s+\d+\s+\d+\s+float/.test(l)).join("\n"));
});
