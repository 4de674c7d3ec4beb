/**
 * All-to-all errors on Node (cpu): splits that overflow `out` (naming the rank, the peer and the
 * sizes), negative splits, splits past the input, wrong dtype or shape, b_start given, a plain
 * all_to_all that does not divide: the same OpError on every rank, inputs untouched, and the group
 * still works after (a plain all_to_all in the same run).
 */
import { describe, expect, it } from "vitest";
import { launch } from "../../src/index.ts";
import type { A2aCase, A2aResult } from "../fixtures/all-to-all-ranks.ts";
import { errorCases, runA2aCases } from "../shared/all-to-all-scenarios.ts";

describe("all-to-all errors on every rank (cpu)", () => {
  for (const world of [2, 3, 5]) {
    it(`${world} ranks`, async () => {
      const cases = errorCases(world);
      expect(cases.length).toBe(12);
      const failures = await runA2aCases({ backend: "cpu", worldSize: world, cases });
      expect(failures).toEqual([]);
    }, 120_000);
  }
});

describe("all-to-all: ranks that disagree are told so (the dispatcher's agreement)", () => {
  it("3 ranks, out one row longer on the last rank: AgreementError, then the world recovers", async () => {
    const world = 3;
    const c: A2aCase = {
      op: "vdev", dtype: "float32", width: 2, inRows: 3, outRows: 3, outRowsByRank: [3, 3, 4],
      splits: [[1, 1, 1], [1, 1, 1], [1, 1, 1]], placement: "regular", seed: 5,
    };
    const w = await launch({ worldSize: world, heapBytes: 1 << 22, backend: "cpu", rankModule: new URL("../fixtures/all-to-all-ranks.ts", import.meta.url), timeoutMs: 5000 });
    try {
      const out = await w.run<A2aResult>("runA2a", c);
      for (const r of out) expect(["AgreementError", "PeerLostError"]).toContain(r.error?.name);
      expect(out.some((r) => r.error?.name === "AgreementError" && /disagree on out's size 0: rank \d has [34], rank \d has [34]/.test(r.error.message))).toBe(true);
      const again = await w.run<A2aResult>("runA2a", { ...c, outRowsByRank: undefined, thenPlain: true });
      for (const r of again) expect([r.error, r.plainOk]).toEqual([undefined, true]);
    } finally {
      await w.close();
    }
  }, 60_000);
});
