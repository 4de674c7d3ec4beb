// The world's lifecycle in Chromium (issue 13): a rank that closes its own worker (self.close(),
// which Chromium reports to nobody) mid-barrier, and close() with a run in flight. rankModule is
// loaded by the library's own rank worker, which only the dev server serves (the built pages
// launch rank workers): these run on the dev project. Node: test/launch/lifecycle.test.ts.
import { expect, test } from "@playwright/test";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

test("a rank that calls self.close() mid-barrier: run() rejects naming it, peers get PeerLostError, close() works", async ({ page }, info) => {
  test.skip(info.project.name !== "dev", "rankModule needs the library's own rank worker, which only the dev server serves");
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { launch } = await (globalThis as unknown as HarnessGlobal).__harness.load("index");
    const url = new URL("/test/fixtures/fault-ranks.ts", location.href).href;
    const fault = await import(/* @vite-ignore */ url) as typeof import("../test/fixtures/fault-ranks.ts");
    const world = await launch({ worldSize: 3, heapBytes: 1 << 16, backend: "cpu", rankModule: url });
    const out = fault.outcomeBuffer(3);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("run() still pending after 10 s")), 10_000);
    });
    const e = await Promise.race([world.run("dieInBarrier", 1, "close", 0, out), hang]).then(() => undefined, (x: unknown) => x);
    clearTimeout(timer);
    await new Promise((res) => setTimeout(res, 500));
    const seen = fault.readOutcomes(out, 3);
    const t0 = performance.now();
    const later = await world.run("whoAmI").then(() => undefined, (x: unknown) => x) as { rank?: number; message?: string } | undefined;
    const laterMs = performance.now() - t0;
    const t1 = performance.now();
    await world.close();
    const err = e as { name?: string; rank?: number; rankErrorName?: string; message?: string };
    return {
      name: err?.name, rank: err?.rank, rankErrorName: err?.rankErrorName, message: err?.message,
      peers: [0, 2].map((p) => ({ ...seen.outcomes[p], after: seen.outcomes[p].at - seen.diedAt })),
      laterRank: later?.rank, laterMs, closeMs: performance.now() - t1,
    };
  });
  console.log(`  ${r.message}`);
  expect(r.name).toBe("RankError");
  expect(r.rank).toBe(1);
  expect(r.rankErrorName).toBe("WorkerLostError");
  expect(r.message).toMatch(/rank 1's worker closed itself/);
  for (const p of r.peers) {
    expect(p.state).toBe("threw");
    expect(p.error).toMatch(/^PeerLostError: .*rank 1's worker ended/);
    expect(p.lostRank).toBe(1);
    expect(p.after).toBeLessThan(2_000);
  }
  expect(r.laterRank).toBe(1);
  expect(r.laterMs).toBeLessThan(500);
  expect(r.closeMs).toBeLessThan(2_000);
});

test("close() with a run in flight rejects it within 1 s", async ({ page }, info) => {
  test.skip(info.project.name !== "dev", "rankModule needs the library's own rank worker, which only the dev server serves");
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { launch } = await (globalThis as unknown as HarnessGlobal).__harness.load("index");
    const url = new URL("/test/fixtures/fault-ranks.ts", location.href).href;
    const world = await launch({ worldSize: 2, heapBytes: 1 << 16, backend: "cpu", rankModule: url });
    const inFlight = world.run("sleepFor", 30_000).then(() => undefined, (x: unknown) => x);
    await new Promise((res) => setTimeout(res, 300));
    const t0 = performance.now();
    const closing = world.close();
    const e = await inFlight as { rank?: number; message?: string } | undefined;
    const ms = performance.now() - t0;
    await closing;
    return { rank: e?.rank, message: e?.message, ms };
  });
  expect(r.rank).toBe(-1);
  expect(r.message).toMatch(/the world was closed during run\("sleepFor"\)/);
  expect(r.ms).toBeLessThan(1_000);
});
