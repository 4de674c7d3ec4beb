import { expect, type Page, test } from "@playwright/test";
import { openDemo, relaunchDemo } from "./demo-page.ts";

/** The loss on all 1024 points that the default run (300 steps, seed 1) must get below: it reaches about 0.016 (float32 on the cpu backend and on SwiftShader alike). */
const LOSS_BELOW = 0.1;
/** And the accuracy on all points it must reach (it gets 99.6 %). */
const ACCURACY_ABOVE = 0.95;

const number = async (page: Page, selector: string): Promise<number> => {
  const v = await page.locator(selector).getAttribute("data-value");
  expect(v, `${selector} has a value`).not.toBeNull();
  return Number(v);
};

test("the training panel trains 4 ranks data-parallel below a stated loss and matches single-rank training", async ({ page }) => {
  await openDemo(page);
  const panel = page.locator("#train-panel");
  await panel.scrollIntoViewIfNeeded();

  // A bad field is refused on the page, naming it.
  await page.locator("#train-hidden").fill("0");
  await page.locator("#train-run").click();
  await expect(page.locator("#train-status")).toHaveText(/^hidden size: expected a whole number from 2 to 256, found "0"/);
  await expect(page.locator("#train-status")).toHaveClass(/error/);
  await page.locator("#train-hidden").fill("32");

  // Stop ends a run after its current chunk, without the comparison.
  await page.locator("#train-run").click();
  await expect(page.locator("#train-status")).toHaveText(/step \d+ of 300/, { timeout: 60_000 });
  await page.locator("#train-stop").click();
  await expect(page.locator("#train-status")).toHaveText(/^stopped after \d+ of 300 steps \(no single-rank comparison\)$/, { timeout: 60_000 });
  await expect(page.locator("#train-run")).toBeEnabled();
  await expect(page.locator("#train-stop")).toBeDisabled();
  expect(await number(page, "#train-dp-steps")).toBeLessThan(300);

  await page.locator("#train-run").click();
  // live: the chart and the step counter move before the run ends
  await expect(page.locator("#train-status")).toHaveText(/training on 4 ranks \(webgpu\): step \d+ of 300/, { timeout: 60_000 });
  await expect(page.locator("#train-chart canvas")).toHaveCount(1);
  await expect(page.locator("#train-run")).toBeDisabled();
  await expect(page.locator("#train-status")).toHaveText(/^done: /, { timeout: 150_000 });
  await expect(page.locator("#train-status")).toHaveText("done: 4 ranks and 1 rank agree");

  const tolerance = Number(await page.locator("#train-tolerance").textContent());
  const maxDiff = await number(page, "#train-max-diff");
  const loss = await number(page, "#train-dp-final-loss");
  const singleLoss = await number(page, "#train-single-final-loss");
  const acc = await number(page, "#train-dp-final-acc");
  const gradCheck = await number(page, "#train-gradcheck");
  console.log(`loss on all points ${loss} (single rank ${singleLoss}), accuracy ${acc}, largest |Δloss| ${maxDiff} (tolerance ${tolerance}), `
    + `WGSL gradient check ${gradCheck}; ${await page.locator("#train-dp-rate").textContent()} steps/s, `
    + `compute ${await page.locator("#train-dp-compute").textContent()} ms, all-reduce ${await page.locator("#train-dp-comm").textContent()} ms per step`);
  expect(tolerance).toBe(1e-3);
  expect(maxDiff).toBeLessThanOrEqual(tolerance);
  expect(loss).toBeLessThan(LOSS_BELOW);
  expect(Math.abs(loss - singleLoss)).toBeLessThanOrEqual(tolerance);
  expect(acc).toBeGreaterThan(ACCURACY_ABOVE);
  expect(gradCheck).toBeLessThanOrEqual(1e-4);
  expect(await number(page, "#train-dp-steps")).toBe(300);
  expect(await number(page, "#train-single-steps")).toBe(300);
  expect(await number(page, "#train-dp-comm")).toBeGreaterThan(0); // the ranks all-reduced
  expect(await number(page, "#train-single-comm")).toBe(0); // one rank alone: no collective
  await expect(page.locator("#train-verdict")).toHaveClass(/ok/);
  await expect(page.locator("#train-replicas")).toHaveText(/^The 4 ranks' parameters are bitwise identical/);
  await expect(page.locator("#train-shards")).toHaveText(/rank 0: 16, rank 1: 16, rank 2: 16, rank 3: 16/);
  await expect(page.locator("#train-run")).toBeEnabled();
  await test.info().attach("train panel", { body: await panel.screenshot({ path: test.info().outputPath("train-panel.png") }), contentType: "image/png" });

  // Other shapes: a narrow net, a batch that does not split evenly (shards of 7 and 8 rows), and the two-shot all-reduce.
  for (const [id, value] of [["steps", "40"], ["hidden", "12"], ["batch", "30"], ["lr", "0.3"], ["seed", "7"]]) {
    await page.locator(`#train-${id}`).fill(value);
  }
  await page.locator("#train-algo").selectOption("two_shot");
  await page.locator("#train-run").click();
  await expect(page.locator("#train-status")).toHaveText(/^done: /, { timeout: 120_000 });
  await expect(page.locator("#train-status")).toHaveText("done: 4 ranks and 1 rank agree");
  await expect(page.locator("#train-shards")).toHaveText(/rank 0: 7, rank 1: 8, rank 2: 7, rank 3: 8; one all-reduce of 218 gradient sums \+ 2 stats \(0\.9 KiB\) per step \(algorithm two_shot\)/);
  expect(await number(page, "#train-gradcheck")).toBeLessThanOrEqual(1e-4);
  expect(await number(page, "#train-max-diff")).toBeLessThanOrEqual(tolerance);
  expect(await number(page, "#train-dp-steps")).toBe(40);
});

test("the training panel on the cpu backend with 3 ranks: plain JavaScript arithmetic, the same comparison", async ({ page }) => {
  await openDemo(page);
  // Relaunch through the Launch panel (demo/panels/launch-panel.ts): 3 ranks on the cpu backend.
  await relaunchDemo(page, 3, "cpu");
  await page.locator("#train-steps").fill("100");
  await page.locator("#train-run").click();
  await expect(page.locator("#train-status")).toHaveText(/^done: /, { timeout: 120_000 });
  await expect(page.locator("#train-status")).toHaveText("done: 3 ranks and 1 rank agree");
  await expect(page.locator("#train-shards")).toHaveText(/rank 0: 21, rank 1: 21, rank 2: 22;/);
  await expect(page.locator("#train-gradcheck")).toHaveText(/^cpu backend: the ranks run the JavaScript reference itself/);
  await expect(page.locator("#train-replicas")).toHaveText(/^The 3 ranks' parameters are bitwise identical/);
  const maxDiff = await number(page, "#train-max-diff");
  expect(maxDiff).toBeLessThanOrEqual(Number(await page.locator("#train-tolerance").textContent()));
  expect(await number(page, "#train-dp-steps")).toBe(100);
  expect(await number(page, "#train-dp-comm")).toBeGreaterThan(0);
});
