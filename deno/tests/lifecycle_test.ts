// Deno tests of the world's lifecycle under failure (issue 13), cpu backend: a rank that closes
// its own worker (self.close(), which Deno reports to nobody) mid-collective, and close() with a
// run in flight. The Node side is test/launch/lifecycle.test.ts.
import { launch, RankError } from "../../src/index.ts";
import { WorkerLostError } from "../../src/core/errors.ts";
import { outcomeBuffer, readOutcomes } from "../../test/fixtures/fault-ranks.ts";

const rankModule = new URL("../../test/fixtures/fault-ranks.ts", import.meta.url);
const base = { heapBytes: 1 << 16, backend: "cpu" as const, rankModule };

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`check failed: ${message}`);
}

async function rejection(p: Promise<unknown>): Promise<RankError> {
  const r = await p.then(() => undefined, (e: unknown) => e);
  if (!(r instanceof RankError)) throw new Error(`expected a RankError, got ${r === undefined ? "a result" : String(r)}`);
  return r;
}

/** Resolves `p`, or rejects after `ms`: a hang fails the test instead of stalling the suite. */
function noHang<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: number | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

Deno.test({
  name: "a rank that calls self.close() mid-barrier: run() rejects naming it, peers get PeerLostError, close() works",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const worldSize = 3, dying = 1;
    const world = await launch({ ...base, worldSize });
    try {
      const out = outcomeBuffer(worldSize);
      const err = await noHang(rejection(world.run("dieInBarrier", dying, "close", 0, out)), 10_000, "run()");
      check(err.rank === dying, `blamed rank ${err.rank}, expected ${dying}: ${err.message}`);
      check(err.rankErrorName === "WorkerLostError", `rankErrorName ${err.rankErrorName}`);
      check(err.cause instanceof WorkerLostError, `cause ${String(err.cause)}`);
      check(/rank 1's worker closed itself/.test(err.message), `message: ${err.message}`);

      const deadline = Date.now() + 2_000;
      let seen = readOutcomes(out, worldSize);
      while (Date.now() < deadline && [0, 2].some((r) => seen.outcomes[r].state === "none")) {
        await sleep(20);
        seen = readOutcomes(out, worldSize);
      }
      for (const r of [0, 2]) {
        const o = seen.outcomes[r];
        check(o.state === "threw" && /^PeerLostError: .*rank 1's worker ended/.test(o.error),
          `rank ${r}: ${o.state} ${o.error}`);
        check(o.lostRank === dying, `rank ${r}: lostRank ${o.lostRank}`);
        check(o.at - seen.diedAt < 2_000, `rank ${r} saw the death after ${o.at - seen.diedAt} ms`);
      }

      const t0 = performance.now();
      const later = await rejection(world.run("whoAmI"));
      check(performance.now() - t0 < 500, `a later run took ${performance.now() - t0} ms to reject`);
      check(later.rank === dying && later.cause === err.cause, `later run: ${later.message}`);
    } finally {
      await noHang(world.close(), 5_000, "close()");
    }
  },
});

Deno.test({
  name: "close() with a run in flight rejects it within 1 s",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const world = await launch({ ...base, worldSize: 2 });
    const inFlight = world.run("sleepFor", 30_000);
    await sleep(300);
    const t0 = performance.now();
    const closing = world.close();
    const err = await rejection(inFlight);
    check(performance.now() - t0 < 1_000, `rejected after ${performance.now() - t0} ms`);
    check(err.rank === -1 && /the world was closed during run\("sleepFor"\)/.test(err.message), err.message);
    await noHang(closing, 5_000, "close()");
  },
});

Deno.test({
  name: "close() of an idle world leaves no timer armed",
  // the op sanitizer fails the test if a timer (the 3 s shutdown grace) outlives close()
  sanitizeOps: true,
  sanitizeResources: false,
  async fn() {
    const world = await launch({ ...base, worldSize: 2 });
    await world.run("whoAmI");
    const t0 = performance.now();
    await world.close();
    check(performance.now() - t0 < 1_000, `close() took ${performance.now() - t0} ms`);
  },
});
