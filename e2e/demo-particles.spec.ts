import { expect, type Locator, type Page, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";

/** The canvas's background colour (demo/particles/renderer.ts BACKGROUND). */
const BG = { r: 8, g: 11, b: 22 };

/** A number the panel put in `data-value` (fails when it is missing). */
async function value(loc: Locator): Promise<number> {
  const v = await loc.getAttribute("data-value");
  expect(v, `${await loc.getAttribute("id")} has no value`).not.toBeNull();
  return Number(v);
}

/**
 * Pixel statistics of two PNG screenshots of the canvas, decoded in the page: how many pixels of
 * the first differ from the background, and how many differ between the two.
 */
async function comparePngs(page: Page, a: Buffer, b: Buffer) {
  return page.evaluate(async ([a64, b64, bg]) => {
    const decode = async (b64s: string) => {
      const bytes = Uint8Array.from(atob(b64s), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d")!;
      ctx.drawImage(bmp, 0, 0);
      return ctx.getImageData(0, 0, bmp.width, bmp.height);
    };
    const [ia, ib] = [await decode(a64), await decode(b64)];
    // element screenshots may differ by a row or column (sub-pixel layout): compare the common part
    const w = Math.min(ia.width, ib.width), h = Math.min(ia.height, ib.height);
    let lit = 0, changed = 0;
    const near = (x: number, y: number) => Math.abs(x - y) <= 3;
    // inside a margin: the canvas's rounded corners show the page behind them
    const m = 10;
    for (let y = m; y < h - m; y++) {
      for (let x = m; x < w - m; x++) {
        const i = 4 * (y * ia.width + x), j = 4 * (y * ib.width + x);
        const [pa, pb] = [ia.data, ib.data];
        if (!(near(pa[i], bg.r) && near(pa[i + 1], bg.g) && near(pa[i + 2], bg.b))) lit++;
        if (pa[i] !== pb[j] || pa[i + 1] !== pb[j + 1] || pa[i + 2] !== pb[j + 2]) changed++;
      }
    }
    return { pixels: (w - 2 * m) * (h - 2 * m), lit, changed, sizes: `${ia.width}×${ia.height} and ${ib.width}×${ib.height}` };
  }, [a.toString("base64"), b.toString("base64"), BG] as const);
}

test("particles: the ranks step an N-body system, the canvas draws changing frames, the numbers and stop work", async ({ page }) => {
  await openDemo(page);
  const panel = page.locator("#particles-panel");
  const canvas = page.locator("#particles-canvas");
  const start = page.locator("#particles-start");
  const stop = page.locator("#particles-stop");
  const steps = page.locator("#particles-steps-done");
  await panel.scrollIntoViewIfNeeded();
  await expect(canvas).toHaveAttribute("data-renderer", "webgpu");
  await expect(page.locator("#particles-renderer")).toContainText("drawn with WebGPU");

  // a body count that does not split over the 4 ranks: an error naming the field, nothing starts
  await page.fill("#particles-bodies", "1001");
  await start.click();
  await expect(page.locator("#particles-field-error")).toHaveText(/^bodies must be a multiple of the world size 4 \(got 1001; try 1000 or 1004\)/);
  await expect(page.locator("#particles-bodies")).toHaveAttribute("aria-invalid", "true");
  await expect(stop).toBeDisabled();

  await page.fill("#particles-bodies", "512");
  await page.fill("#particles-steps", "0");
  await start.click();
  await expect(page.locator("#particles-field-error")).toHaveText('steps per frame must be a whole number from 1 to 100 (got "0")');
  await expect(page.locator("#particles-steps")).toHaveAttribute("aria-invalid", "true");
  await page.fill("#particles-steps", "2");
  await start.click();
  await expect(page.locator("#particles-field-error")).toBeHidden();
  await expect(page.locator("#particles-status")).toHaveText("running: 512 bodies on 4 ranks", { timeout: 30_000 });
  await expect(stop).toBeEnabled();
  await expect(start).toBeDisabled();
  await expect(page.locator("#particles-fps")).toHaveAttribute("data-value", /\d/, { timeout: 30_000 });
  await expect(page.locator("#particles-ranks tbody tr")).toHaveCount(4);
  await expect(page.locator("#particles-legend")).toHaveText(/512 bodies, 128 per rank.*WGSL on each rank's GPUDevice/);

  // two screenshots of the running canvas a second apart: lit (not all background) and different
  const shot1 = await canvas.screenshot();
  const step1 = await value(steps);
  await page.waitForTimeout(1000);
  const shot2 = await canvas.screenshot();
  const step2 = await value(steps);
  expect(step2, "the simulation advanced between the screenshots").toBeGreaterThan(step1);
  const px = await comparePngs(page, shot1, shot2);
  expect(px.pixels, px.sizes).toBeGreaterThan(100_000);
  expect(px.lit, `lit pixels of ${px.pixels}`).toBeGreaterThan(200);
  expect(px.lit).toBeLessThan(px.pixels); // not a flood of one colour either
  expect(px.changed, "pixels that changed between the frames").toBeGreaterThan(50);

  // the numbers the ranks measured are there and positive
  for (const id of ["#particles-fps", "#particles-compute", "#particles-comm"]) {
    const v = await value(page.locator(id));
    expect(v, id).toBeGreaterThan(0);
    expect(Number.isFinite(v), id).toBe(true);
  }
  for (const row of await page.locator("#particles-ranks tbody tr").all()) {
    expect(Number(await row.locator("td").nth(2).textContent())).toBeGreaterThan(0);
    expect(Number(await row.locator("td").nth(3).textContent())).toBeGreaterThan(0);
  }
  // physics: energy and momentum drifts are shown, small, and the check says ok
  await expect(page.locator("#particles-sanity")).toHaveAttribute("data-ok", "true");
  expect(Math.abs(await value(page.locator("#particles-energy-drift")))).toBeLessThan(1e-2);
  expect(await value(page.locator("#particles-momentum-drift"))).toBeLessThan(1e-4);

  // stop: the loop ends, the step count stays, start is back
  await stop.click();
  await expect(page.locator("#particles-status")).toHaveText(/^stopped at step \d+$/, { timeout: 30_000 });
  await expect(start).toBeEnabled();
  await expect(stop).toBeDisabled();
  const stopped = await value(steps);
  await page.waitForTimeout(500);
  expect(await value(steps)).toBe(stopped);
  expect(await page.locator("#particles-status").textContent()).toBe(`stopped at step ${stopped}`);

  // the orbit camera: a drag on the stopped picture turns it
  const before = await canvas.screenshot();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 6 });
  await page.mouse.up();
  await page.waitForTimeout(200);
  const after = await canvas.screenshot();
  expect((await comparePngs(page, before, after)).changed, "pixels the drag changed").toBeGreaterThan(50);

  await test.info().attach("particles panel", { body: await panel.screenshot(), contentType: "image/png" });

  // a relaunch while the simulation runs stops it cleanly; on 2 cpu ranks it runs again (plain JS forces)
  await start.click();
  await expect(page.locator("#particles-status")).toHaveText("running: 512 bodies on 4 ranks", { timeout: 30_000 });
  await page.fill("#launch-ranks", "2");
  await page.selectOption("#launch-backend", "cpu");
  // The Launch button is disabled for the moments a frame holds the ranks; submitting the form
  // queues the relaunch behind the frame, as a click between two frames does.
  await page.locator("#launch-form").evaluate((f: HTMLFormElement) => f.requestSubmit());
  await expect(page.locator("#particles-status")).toHaveText("stopped: the ranks were relaunched (press start for a new simulation)", { timeout: 30_000 });
  await expect(page.locator("#launch-status")).toHaveText("barrier ok: 2 ranks on cpu", { timeout: 60_000 });
  await expect(start).toBeEnabled();
  await start.click();
  await expect(page.locator("#particles-status")).toHaveText("running: 512 bodies on 2 ranks", { timeout: 30_000 });
  await expect(page.locator("#particles-legend")).toHaveText(/512 bodies, 256 per rank.*plain JS \(cpu backend\)/);
  await expect(page.locator("#particles-ranks tbody tr")).toHaveCount(2);
  await expect.poll(() => value(steps), { timeout: 30_000 }).toBeGreaterThan(10);
  await stop.click();
  await expect(page.locator("#particles-status")).toHaveText(/^stopped at step \d+$/, { timeout: 30_000 });
  await expect(page.locator("#particles-sanity")).toHaveAttribute("data-ok", "true");
});

test("particles: without WebGPU in the page the canvas falls back to 2-D drawing, says so, and still draws changing frames", async ({ page }) => {
  await openDemo(page);
  // the same page, told to draw as a page without WebGPU does (the ranks keep theirs)
  await page.goto("/?particles-renderer=2d");
  await expect(page.locator("#launch-status")).toHaveText("barrier ok: 4 ranks on webgpu", { timeout: 60_000 });
  const canvas = page.locator("#particles-canvas");
  await page.locator("#particles-panel").scrollIntoViewIfNeeded();
  await expect(canvas).toHaveAttribute("data-renderer", "2d");
  await expect(page.locator("#particles-renderer")).toContainText("drawn with a 2-D canvas instead of WebGPU: asked for with ?particles-renderer=2d");
  await page.fill("#particles-bodies", "256");
  await page.locator("#particles-start").click();
  await expect(page.locator("#particles-status")).toHaveText("running: 256 bodies on 4 ranks", { timeout: 30_000 });
  await expect(page.locator("#particles-fps")).toHaveAttribute("data-value", /\d/, { timeout: 30_000 });
  const shot1 = await canvas.screenshot();
  await page.waitForTimeout(1000);
  const shot2 = await canvas.screenshot();
  const px = await comparePngs(page, shot1, shot2);
  expect(px.lit, `lit pixels of ${px.pixels}`).toBeGreaterThan(100);
  expect(px.lit).toBeLessThan(px.pixels);
  expect(px.changed, "pixels that changed between the frames").toBeGreaterThan(30);
  await page.locator("#particles-stop").click();
  await expect(page.locator("#particles-status")).toHaveText(/^stopped at step \d+$/, { timeout: 30_000 });
  await test.info().attach("particles panel (2-D fallback)", { body: await page.locator("#particles-panel").screenshot(), contentType: "image/png" });
});
