import { expect, type Page, test } from "@playwright/test";
import { openDemo } from "./demo-page.ts";

interface Alloc { id: string; offset: number; bytes: number; label?: string }
interface Snapshot { rank: number; allocations: Alloc[] }

/** What every rank reports, asked directly (the panel's test hook runs heapSnapshot in the ranks). */
function ranksReport(page: Page): Promise<Snapshot[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { __heapMap: { snapshot(): Promise<Snapshot[]> } }).__heapMap.snapshot());
}

/** What the page draws: per rank bar, the blocks' id, offset and size. */
function pageShows(page: Page): Promise<Alloc[][]> {
  return page.locator("#heap-bars .heap-bar").evaluateAll((bars) => bars.map((bar) =>
    [...bar.querySelectorAll<HTMLElement>(".heap-block")].map((b) => ({
      id: b.dataset.id!, offset: Number(b.dataset.offset), bytes: Number(b.dataset.bytes),
      ...(b.dataset.label ? { label: b.dataset.label } : {}),
    }))));
}

/** The page's drawing equals what the ranks report now (count, ids, offsets, sizes, labels; every rank). */
async function expectMapMatchesRanks(page: Page): Promise<Alloc[][]> {
  let shown: Alloc[][] = [];
  await expect(async () => {
    const report = await ranksReport(page);
    shown = await pageShows(page);
    expect(shown).toHaveLength(report.length);
    for (const s of report) {
      expect(shown[s.rank]).toEqual(s.allocations.map((a) => ({
        id: a.id, offset: a.offset, bytes: a.bytes, ...(a.label ? { label: a.label } : {}),
      })));
    }
    await expect(page.locator("#heap-summary")).toHaveAttribute("data-count", String(report[0].allocations.length));
    await expect(page.locator("#heap-table tbody tr[data-offset]")).toHaveCount(report[0].allocations.length);
  }).toPass({ timeout: 20_000 });
  return shown;
}

/** Waits (polling every animation frame) until some pad cell is lit, and returns how many were. */
async function waitForLitCells(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => {
    const n = document.querySelectorAll("#heap-panel td.pad-cell.on").length;
    return n > 0 ? n : false;
  }, undefined, { polling: "raf", timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

async function expectAllPadsZero(page: Page): Promise<void> {
  const cells = page.locator("#heap-panel td.pad-cell");
  expect(await cells.count()).toBeGreaterThanOrEqual(4 * 4 * 6);
  await expect(page.locator("#heap-panel td.pad-cell.on")).toHaveCount(0);
  const values = await cells.evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.value));
  expect(values.every((v) => v === "0")).toBe(true);
  await expect(page.locator("#heap-pad-status")).toHaveAttribute("data-lit", "0");
}

test("heap map: the allocations match the ranks and change after an action; the pads light up and clear in slow motion", async ({ page }) => {
  await openDemo(page);
  const status = page.locator("#heap-status");
  const before = await expectMapMatchesRanks(page);

  // A bad field is named on the page, and nothing runs.
  await page.locator("#heap-n").fill("0");
  await page.locator("#heap-one-shot").click();
  await expect(page.locator("#heap-field-error")).toHaveText('elements must be a whole number from 1 to 1,048,576, found "0"');
  await expect(page.locator("#heap-n")).toHaveAttribute("aria-invalid", "true");

  // A two-shot all-reduce at full speed through the library: its regular tensor is realized in
  // the dispatcher's workspace, a new allocation.
  const n = 65536;
  await page.locator("#heap-slow").uncheck();
  await page.locator("#heap-n").fill(String(n));
  await page.locator("#heap-two-shot").click();
  await expect(page.locator("#heap-field-error")).toBeHidden();
  await expect(status).toHaveText(/^verified: 4 ranks × 65,536 float32, rank\.allReduce\(\{ algo: "two_shot" \}\); every element equals the sum computed in the page/, { timeout: 60_000 });
  await expect(page.locator("#heap-bars .heap-block[data-label='workspace: realize']").first()).toBeAttached();
  const after = await expectMapMatchesRanks(page);
  expect(after).not.toEqual(before);
  for (const rank of after) {
    const ws = rank.filter((a) => a.label === "workspace: realize");
    expect(ws).toHaveLength(1);
    expect(ws[0].bytes).toBeGreaterThanOrEqual(4 * n);
    expect(ws[0].offset % 256).toBe(0);
  }
  await expectAllPadsZero(page);

  // Slow motion: the demo's own two-shot over the handle API, with pauses while the slots are up.
  await page.locator("#heap-slow").check();
  await page.locator("#heap-n").fill("1000");
  await page.locator("#heap-pause").fill("300");
  await page.locator("#heap-two-shot").click();
  const lit = await waitForLitCells(page);
  expect(lit).toBeGreaterThan(0);
  await test.info().attach("heap map during a slow-motion two-shot all-reduce", {
    body: await page.locator("#heap-panel").screenshot(), contentType: "image/png",
  });
  await expect(page.locator("#heap-stage")).toBeVisible();
  await expect(status).toHaveText(/^verified: 4 ranks × 1,000 float32, the demo's two-shot \(handle API, slow motion\) gives the same bits as rank\.allReduce\(\{ algo: "two_shot" \}\) on every rank; every element equals the sum/, { timeout: 60_000 });
  await expect(page.locator("#heap-stage")).toHaveAttribute("data-stage", "done");
  await expectAllPadsZero(page);
  // every rank signalled every peer on channels 0, 1 and 2: those 3 × 4 × 3 cells were seen lit
  const seen = await page.locator("#heap-panel td.pad-cell.seen").evaluateAll((tds) =>
    tds.map((td) => `${(td as HTMLElement).dataset.channel}:${(td as HTMLElement).dataset.dst}:${(td as HTMLElement).dataset.src}`));
  for (const c of [0, 1, 2]) {
    for (let d = 0; d < 4; d++) for (let s = 0; s < 4; s++) if (s !== d) expect(seen).toContain(`${c}:${d}:${s}`);
  }
  expect(Number(await page.locator("#heap-pad-status").getAttribute("data-peak"))).toBeGreaterThan(0);
  await expectMapMatchesRanks(page);
  await test.info().attach("heap map panel after the run", { body: await page.locator("#heap-panel").screenshot(), contentType: "image/png" });

  // A slow barrier: ranks arrive one after the other, so slots fill up before anyone leaves.
  await page.locator("#heap-pause").fill("150");
  await page.locator("#heap-barrier").click();
  await waitForLitCells(page);
  await expect(status).toHaveText(/^barrier passed on 4 ranks/, { timeout: 60_000 });
  await expectAllPadsZero(page);
});
