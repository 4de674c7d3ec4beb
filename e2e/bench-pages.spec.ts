// The benchmark pages that `npm run bench -- --runtime chromium` (bench/page.html) and
// `npm run bench:tp-mlp -- --runtime chromium` (bench/tp-mlp.html) drive, on the dev server and in
// the production build: a short run of each prints its table and returns its JSON; a bad flag is
// exit code 2 with the usage, and runs nothing.
import { expect, type Page, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";

interface Outcome {
  code: number;
  json?: string;
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.waitForFunction(() => (globalThis as { __benchReady?: boolean }).__benchReady === true, undefined, { timeout: 60_000 });
}

const lines = (page: Page, id: "out" | "err") => page.locator(`#${id}`).textContent().then((t) => (t ?? "").split("\n"));

test("bench/tp-mlp.html: T7's sweep at one size, every mode verified, eager 4 and planned 0 realizations", async ({ page }) => {
  await open(page, "/bench/tp-mlp.html");
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP webgpu, running cpu: ${skip}`);
  const backend = skip === undefined ? "webgpu" : "cpu";
  const outcome = await page.evaluate((b) => (globalThis as unknown as { __runTpMlp: (a: string[]) => Promise<Outcome> })
    .__runTpMlp(["--backend", b, "--sizes", "64:32:128", "--rounds", "1", "--steps", "1"]), backend);
  expect(outcome.code).toBe(0);
  const j = JSON.parse(outcome.json!);
  expect(Object.keys(j)).toEqual(["rows", "baselines", "meta"]);
  expect(j.rows.map((r: { mode: string; realizations: number; verified: boolean }) => [r.mode, r.realizations, r.verified]))
    .toEqual([["eager", 4, true], ["planned", 0, true], ["fused", 0, true]]);
  expect(j.meta).toMatchObject({ runtime: "chromium", backend, ranks: 2 });
  expect((await lines(page, "out")).some((l) => /^\s+64\s+32\s+128\s/.test(l))).toBe(true);

  const bad = await page.evaluate(() => (globalThis as unknown as { __runTpMlp: (a: string[]) => Promise<Outcome> })
    .__runTpMlp(["--world", "0"]));
  expect(bad.code).toBe(2);
  expect((await lines(page, "err")).join("\n")).toContain("--world must be a positive integer, found 0");
});

test("bench/page.html: a short all-reduce sweep on 2 ranks, every result checked", async ({ page }) => {
  await open(page, "/bench/page.html");
  const skip = await webgpuSkipReason(page);
  if (skip) console.warn(`SKIP webgpu, running cpu: ${skip}`);
  const argv = ["-g", "2", "-b", "8", "-e", "64", "-f", "8", "-n", "1", "-w", "0", "--json", "x.json",
    ...(skip === undefined ? [] : ["--backend", "cpu"])];
  const outcome = await page.evaluate((a) => (globalThis as unknown as { __runBench: (a: string[]) => Promise<Outcome> }).__runBench(a), argv);
  expect(outcome.code).toBe(0);
  expect(await lines(page, "out")).toContain("# Out of bounds values : 0 OK");
  expect(JSON.parse(outcome.json!).rows.length).toBeGreaterThan(0);
});
