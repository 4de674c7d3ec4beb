/**
 * The fault-injection scenarios (issue 13), written once and run on every runtime: Vitest (Node,
 * cpu), Deno tests (webgpu on lavapipe) and Playwright (webgpu on SwiftShader). Each launches a
 * world, injects one failure, asserts what every rank saw (the typed error, how fast, no heap left
 * behind, no hung promise) and that the world then passes a verified all-reduce.
 */
import { launch, type BackendName, type World } from "../../src/index.ts";
import type * as F from "../fixtures/failure-ranks.ts";
import { check, rejection } from "./check.ts";
import { rankSource } from "./rank-source.ts";

export interface FailureScenarioOptions {
  backend: BackendName;
  worldSize: number;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../fixtures/failure-ranks.ts", import.meta.url);

/** How long a failure may take to reach every rank, generously above the ~100 ms the design aims at (2 slow cores). */
const PROMPT_MS = 3000;

async function withWorld<T>(o: FailureScenarioOptions, body: (w: World) => Promise<T>, timeoutMs = 8000): Promise<T> {
  const world = await launch({
    worldSize: o.worldSize, heapBytes: 1 << 23, backend: o.backend, ...rankSource("failure-ranks", rankModule), timeoutMs,
  });
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

async function verified(w: World, what: string): Promise<void> {
  const ok = await w.run<boolean>("verifiedAllReduce");
  check(ok.every((v) => v), `${what}: the next verified all-reduce failed on ranks ${ok.flatMap((v, r) => (v ? [] : [r]))}`);
}

const every = (n: number, d: (r: number) => number | string) => Array.from({ length: n }, (_, r) => d(r));

export const failureScenarios: Record<string, (o: FailureScenarioOptions) => Promise<string>> = {
  async "disagreeing ranks get AgreementError naming what differs"(o) {
    return withWorld(o, async (w) => {
      const n = o.worldSize;
      const last = n - 1;
      const cases: Array<[string, F.Disagreement, RegExp]> = [
        ["count 100 vs 200", { counts: every(n, (r) => (r === last ? 200 : 100)) as number[] }, /disagree on input's size 0: rank \d+ has (100|200), rank \d+ has (100|200)/],
        ["count 65 vs 64", { counts: every(n, (r) => (r === last ? 65 : 64)) as number[] }, /disagree on input's size 0/],
        ["dtype", { dtypes: every(n, (r) => (r === last ? "int32" : "float32")) as string[] }, /disagree on input's dtype: rank \d+ has (float32|int32), rank \d+ has (float32|int32)/],
        ["one_shot vs two_shot", { ops: every(n, (r) => (r === last ? "two_shot_all_reduce_" : "one_shot_all_reduce")) as string[] }, /disagree on the op: rank \d+ calls symm_mem::\w+, rank \d+ calls symm_mem::\w+/],
        ["one_shot vs broadcast", { ops: every(n, (r) => (r === last ? "broadcast" : "one_shot_all_reduce")) as string[] }, /disagree on the op/],
        ["root", { ops: every(n, () => "broadcast") as string[], roots: every(n, (r) => (r === last ? 1 : 0)) as number[] }, /disagree on root: rank \d+ has [01], rank \d+ has [01]/],
        ["workspace grows on one rank only", { counts: every(n, (r) => (r === last ? 200_000 : 64)) as number[] }, /disagree on input's size 0/],
      ];
      const lines: string[] = [];
      for (const [title, d, message] of cases) {
        const before = await w.run<{ live: number; free: number }>("heapState");
        const out = await w.run<F.Outcome>("disagree", d);
        // Every rank fails: the ranks that compared with a differing peer with AgreementError,
        // any other (more than 2 ranks) with the same or a PeerLostError naming the rank that failed.
        check(out.every((x) => !x.ok), `${title}: some rank succeeded: ${JSON.stringify(out)}`);
        check(out.some((x) => x.name === "AgreementError" && message.test(x.message ?? "")),
          `${title}: no rank reported the difference: ${out.map((x) => `${x.name}: ${x.message}`).join(" | ")}`);
        for (const x of out) {
          check(x.name === "AgreementError" || x.name === "PeerLostError", `${title}: unexpected ${x.name}: ${x.message}`);
          check(x.ms < PROMPT_MS, `${title}: took ${x.ms.toFixed(0)} ms`);
        }
        const after = await w.run<{ live: number; free: number }>("heapState");
        after.forEach((a, r) => check(a.live <= before[r].live && a.free >= before[r].free,
          `${title}: rank ${r} kept heap: ${JSON.stringify(before[r])} -> ${JSON.stringify(a)}`));
        await verified(w, title);
        lines.push(`${title}: ${Math.max(...out.map((x) => x.ms)).toFixed(1)} ms`);
      }
      return lines.join("; ");
    });
  },

  async "a caught failure leaves the group unusable until the run ends, then it is usable again"(o) {
    return withWorld(o, async (w) => {
      const out = await w.run<[F.Outcome, F.Outcome]>("disagreeThenContinue");
      for (const [first, second] of out) {
        check(!first.ok && !second.ok, `expected both calls to fail: ${JSON.stringify([first, second])}`);
        check(second.name === "GroupBrokenError" || second.name === "PeerLostError", `second call: ${second.name}: ${second.message}`);
        check(second.ms < PROMPT_MS, `second call took ${second.ms} ms`);
      }
      check(out.some(([, s]) => s.name === "GroupBrokenError" && /cannot be used until this run ends/.test(s.message ?? "")),
        "no rank reported GroupBrokenError");
      await verified(w, "after the run with a caught failure");
      return `second call: ${out.map(([, s]) => s.name).join(", ")}`;
    });
  },

  async "collectives issued without awaiting run in issue order"(o) {
    return withWorld(o, async (w) => {
      for (let i = 0; i < 3; i++) {
        const out = await w.run<boolean[]>("concurrent");
        check(out.every((r) => r.every((v) => v)), `round ${i}: wrong results ${JSON.stringify(out)}`);
      }
      return "3 rounds of 4 concurrent collectives verified";
    });
  },

  async "a collective called by one rank alone times out, then the world recovers"(o) {
    return withWorld(o, async (w) => {
      const t0 = performance.now();
      const err = await rejection(w.run("lonely", 0));
      const ms = performance.now() - t0;
      check(err.name === "RankError" && err.rank === 0 && err.rankErrorName === "TimeoutError",
        `expected RankError from rank 0's TimeoutError, got ${err.name} ${err.rank} ${err.rankErrorName}: ${err.message}`);
      check(ms < 1000 + PROMPT_MS + 2000, `run() took ${ms.toFixed(0)} ms to reject`);
      const ok = await w.run<boolean>("allocateAndReduce");
      check(ok.every((v) => v), `allocate + rendezvous + all-reduce after recovery: ${JSON.stringify(ok)}`);
      return `lonely rank timed out; run() rejected in ${ms.toFixed(0)} ms; allocate + rendezvous + reduce verified after`;
    }, 1000);
  },

  async "heaps that drift apart in a failed run break their group for good, and only it"(o) {
    return withWorld(o, async (w) => {
      const err = await rejection(w.run("driftThenThrow"));
      check(err.name === "RankError" && err.rank === 1, `expected RankError blaming rank 1: ${err.name} ${err.rank}: ${err.message}`);
      const world = await w.run<F.Outcome>("reduceOn", "world");
      for (const x of world) {
        check(x.name === "GroupBrokenError" && /cannot be used any more/.test(x.message ?? "") &&
          /rank 1 throws after the heaps drifted apart/.test(x.message ?? ""), `world: ${x.name}: ${x.message}`);
        check(x.ms < PROMPT_MS, `took ${x.ms} ms`);
      }
      const rest = await w.run<F.Outcome | "not a member">("reduceOn", "rest");
      check(rest[0] === "not a member" && rest.slice(1).every((x) => x !== "not a member" && x.ok),
        `the subgroup should still work: ${JSON.stringify(rest)}`);
      return `world: ${(world[0] as F.Outcome).name}; subgroup "rest": still works`;
    });
  },

  async "a rank that throws mid two-shot fails the run promptly"(o) {
    return withWorld(o, async (w) => {
      const t0 = performance.now();
      const err = await rejection(w.run("throwMidTwoShot", 1 << 18));
      const ms = performance.now() - t0;
      check(err.name === "RankError" && err.rank === 1, `expected RankError blaming rank 1, got ${err.name} ${err.rank}: ${err.message}`);
      check(ms < PROMPT_MS, `run() took ${ms.toFixed(0)} ms to reject`);
      await verified(w, "after a rank threw");
      return `run() rejected in ${ms.toFixed(0)} ms`;
    });
  },

  async "heap exhaustion in a realization on one rank: typed errors, nothing leaked"(o) {
    return withWorld(o, async (w) => {
      const before = await w.run<{ live: number; free: number }>("heapState");
      const out = await w.run<F.Outcome>("exhaustRealization");
      check(out[0].name === "SymmetricMemoryError" && /heap/i.test(out[0].message ?? ""), `rank 0: ${out[0].name}: ${out[0].message}`);
      for (const x of out.slice(1)) check(x.name === "PeerLostError", `a peer: ${x.name}: ${x.message}`);
      for (const x of out) check(x.ms < PROMPT_MS, `took ${x.ms} ms`);
      const after = await w.run<{ live: number; free: number }>("heapState");
      after.forEach((a, r) => check(a.free >= before[r].free, `rank ${r} leaked: ${before[r].free} -> ${a.free} free bytes`));
      await verified(w, "after exhaustion");
      return `rank 0 ${out[0].name}, peers ${out.slice(1).map((x) => x.name).join(", ")}; heap back to ${after[0].free} free bytes`;
    });
  },

  async "use after free is a SymmetricMemoryError"(o) {
    return withWorld(o, async (w) => {
      const out = await w.run<F.Outcome>("useAfterFree");
      for (const x of out) check(x.name === "SymmetricMemoryError" && /was freed/.test(x.message ?? ""), `${x.name}: ${x.message}`);
      await verified(w, "after use after free");
      return out[0].message ?? "";
    });
  },

  async "timeoutMs 0 means no timeout"(o) {
    return withWorld(o, async (w) => {
      const out = await w.run<F.Outcome>("lateArrival", 300);
      check(out.every((x) => x.ok), `expected success with a late rank: ${JSON.stringify(out)}`);
      return "a rank 300 ms late with timeoutMs 0 (launch and barrier): no timeout";
    }, 0);
  },
};
