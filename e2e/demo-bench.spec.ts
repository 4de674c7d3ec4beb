import { expect, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";

test("the demo's benchmark panel runs a small sweep in the page's workers, every result checked", async ({ page }) => {
  await openDemo(page);
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
