import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";

// The issue asks for no sideways scrolling at 1280 px.
test.use({ viewport: { width: 1280, height: 900 } });

test("the demo's benchmark panel: form errors name the field, a short sweep runs with progress, table, chart and JSON", async ({ page }) => {
  await openDemo(page);
  const panel = page.locator("#bench-panel");

  // Defaults that reach the max they show, and a form error that names the field, not a flag.
  await expect(page.locator("#bench-max")).toHaveValue("1M");
  await expect(page.locator("#bench-plan")).toContainText("1 MiB");
  await page.locator("#bench-max").fill("1Q");
  const error = page.locator("#bench-error");
  await expect(error).toBeVisible();
  await expect(error).toContainText("max size");
  expect(await error.textContent()).not.toMatch(/-e\b|--maxbytes/);
  expect(await error.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(179, 38, 30)");
  await expect(page.locator("#bench-max")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#bench-run")).toBeDisabled();

  // A short sweep: 8 B to 512 B by x4, 2 ranks.
  for (const [id, value] of [["ranks", "2"], ["min", "8"], ["max", "512"], ["factor", "4"], ["iters", "2"], ["warmup", "1"]]) {
    await page.locator(`#bench-${id}`).fill(value);
  }
  await expect(error).toBeHidden();
  await expect(page.locator("#bench-plan")).toHaveText("4 sizes: 8 B, 32 B, 128 B, 512 B");
  await page.locator("#bench-run").click();

  const progress = page.locator("#bench-progress");
  await expect(progress).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
  expect(await progress.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([4, 4]);
  await expect(page.locator("#bench-progress-text")).toContainText("4 / 4 sizes · done");
  const perAlgo = await page.locator("#bench-progress-algos li").allTextContents();
  expect(perAlgo.length).toBeGreaterThan(0);
  const algoTotal = perAlgo.map((t) => /(\d+) \/ (\d+)$/.exec(t.trim())!).reduce((s, m) => {
    expect(m[1]).toBe(m[2]); // every algorithm finished its sizes
    return s + Number(m[2]);
  }, 0);
  expect(algoTotal).toBe(4);
  await expect(page.locator("#bench-status")).toHaveText("done: every result checked, 0 wrong");

  // The table: every size, one line per placement measured, #wrong 0 on each, no N/A.
  const rows = await page.locator("#bench-table tbody tr").evaluateAll((trs) => trs.map((tr) => ({
    size: Number((tr as HTMLElement).dataset.size),
    algo: (tr as HTMLElement).dataset.algo!,
    placement: (tr as HTMLElement).dataset.placement!,
    wrong: tr.querySelector("td.wrong")!.textContent!.trim(),
    busbw: Number(tr.children[tr.children.length - 2].textContent),
  })));
  console.log(JSON.stringify(rows));
  expect([...new Set(rows.map((r) => r.size))]).toEqual([8, 32, 128, 512]);
  expect(rows.length).toBeGreaterThanOrEqual(4);
  for (const r of rows) {
    expect(r.wrong, `#wrong at ${r.size} B ${r.algo} ${r.placement}`).toBe("0");
    expect(["out-of-place", "in-place"]).toContain(r.placement);
    expect(Number.isFinite(r.busbw)).toBe(true);
  }
  expect(await page.locator("#bench-table").textContent()).not.toContain("N/A");

  // The chart: uPlot's canvas drawn, one series per algorithm and the run's baselines.
  const algos = [...new Set(rows.map((r) => r.algo))];
  const labels = await page.locator("#bench-chart .u-legend .u-series .u-label").allTextContents();
  expect(labels[0]).toBe("size");
  const series = labels.slice(1);
  expect(series.slice(0, algos.length)).toEqual(algos);
  const baselines = series.slice(algos.length).map((l) => l.split(/[ ,]/)[0]);
  expect(baselines.sort()).toEqual(["gpu_roundtrip", "heap_memcpy", "naive_postmessage", "staging_floor"]);
  const pixels = await page.locator("#bench-chart canvas").evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    let firstSeries = 0; // the first algorithm's colour, #4e79a7
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) drawn++;
      if (Math.abs(d[i] - 0x4e) < 12 && Math.abs(d[i + 1] - 0x79) < 12 && Math.abs(d[i + 2] - 0xa7) < 12 && d[i + 3] > 200) firstSeries++;
    }
    return { drawn, firstSeries, w: c.width, h: c.height };
  });
  console.log(JSON.stringify(pixels));
  expect(pixels.w).toBeGreaterThan(300);
  expect(pixels.drawn).toBeGreaterThan(1000);
  expect(pixels.firstSeries).toBeGreaterThan(20);

  // Nothing scrolls sideways at 1280 px: not the page, not the panel.
  const widths = await panel.evaluate((p) => ({
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    panel: [p.scrollWidth, p.clientWidth],
    table: [p.querySelector("#bench-table")!.scrollWidth, p.clientWidth],
  }));
  expect(widths.page[0]).toBeLessThanOrEqual(widths.page[1]);
  expect(widths.panel[0]).toBeLessThanOrEqual(widths.panel[1]);
  expect(widths.table[0]).toBeLessThanOrEqual(widths.table[1]);

  // The download: the JSON the command line writes.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#bench-download").click()]);
  const doc = JSON.parse(readFileSync((await download.path())!, "utf8"));
  expect(Object.keys(doc).sort()).toEqual(["baselines", "meta", "rows"]);
  expect(doc.meta).toMatchObject({ runtime: "chromium", backend: "webgpu", ranks: 2 });
  expect(doc.rows).toHaveLength(rows.length);
  for (const r of doc.rows) {
    expect(r.wrong).toBe(0);
    expect(r).toHaveProperty("busbw");
  }
  expect(doc.baselines.map((b: { name: string }) => b.name)).toContain("staging_floor");

  await test.info().attach("benchmark panel", { body: await panel.screenshot(), contentType: "image/png" });

  // Again on the cpu backend, where the tuning table picks by size: the table, the calls and the
  // chart follow the algorithms the run used, each with the placements it has.
  await page.locator("#bench-backend").selectOption("cpu");
  await page.locator("#bench-min").fill("64");
  await page.locator("#bench-max").fill("1K");
  await expect(page.locator("#bench-plan")).toHaveText("3 sizes: 64 B, 256 B, 1 KiB");
  await page.locator("#bench-run").click();
  await expect(progress).toHaveAttribute("data-phase", "done", { timeout: 120_000 });
  await expect(page.locator("#bench-status")).toHaveText("done: every result checked, 0 wrong");
  const cpuRows = await page.locator("#bench-table tbody tr").evaluateAll((trs) => trs.map((tr) => ({
    size: Number((tr as HTMLElement).dataset.size), algo: (tr as HTMLElement).dataset.algo!,
    wrong: tr.querySelector("td.wrong")!.textContent!.trim(),
  })));
  console.log(JSON.stringify(cpuRows));
  expect([...new Set(cpuRows.map((r) => r.size))]).toEqual([64, 256, 1024]);
  for (const r of cpuRows) expect(r.wrong, `#wrong at ${r.size} B ${r.algo} (cpu)`).toBe("0");
  const cpuAlgos = [...new Set(cpuRows.map((r) => r.algo))];
  const cpuLabels = (await page.locator("#bench-chart .u-legend .u-series .u-label").allTextContents()).slice(1);
  expect(cpuLabels.slice(0, cpuAlgos.length)).toEqual(cpuAlgos);
  // cpu: no GPU baselines, the others measured
  expect(cpuLabels.slice(cpuAlgos.length).map((l) => l.split(/[ ,]/)[0]).sort()).toEqual(["heap_memcpy", "naive_postmessage"]);
  const calls = await page.locator("#bench-calls li").allTextContents();
  expect(calls.map((c) => c.split(" ")[0])).toEqual(cpuAlgos);
  await test.info().attach("benchmark panel, cpu backend", { body: await panel.screenshot(), contentType: "image/png" });
});
