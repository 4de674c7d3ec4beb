/**
 * The Backend contract is complete: a third backend defined in test code ("hostmem",
 * test/fixtures/third-backend.ts, public API only, its own tensors and reducer) runs the built-in
 * symm_mem kernels, the high-level collectives and put/get unchanged, bit-exact with the oracle.
 * Worlds are launched with backend "cpu" (tensors made by hostmem route to hostmem's kernels by
 * the dispatcher's backendOf) and with backend "hostmem" itself (rank.tensor's default).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, LaunchError, listBackends, unregisterBackend, type World } from "../../src/index.ts";
import { caseArenaBytes, caseRegularBytes, MATRIX_OPS, type CaseSummary } from "../fixtures/collective-ranks.ts";
import { allCases } from "../shared/collective-matrix.ts";
import { HOSTMEM, registerThirdBackend } from "../fixtures/third-backend.ts";
import type { CheckResult, collectives, counters, defaults, highLevel, negatives, putGet } from "../fixtures/third-backend-ranks.ts";

type Result<F extends (...a: never[]) => unknown> = Awaited<ReturnType<F>>;
const rankModule = new URL("../fixtures/third-backend-ranks.ts", import.meta.url);

/** Zero mismatches, every result a hostmem tensor, and the same bytes on every rank where it must be. */
function expectClean(perRank: readonly { results: readonly CheckResult[] }[]): number {
  const bad = perRank.flatMap((x, r) => x.results.filter((c) => c.mismatches > 0 || !c.hostmem).map((c) => `rank ${r}: ${c.detail ?? c.name}`));
  expect(bad).toEqual([]);
  const names = perRank[0].results.map((c) => c.name);
  for (const x of perRank) expect(x.results.map((c) => c.name)).toEqual(names);
  const disagree = names.filter((_, i) => {
    if (!perRank[0].results[i].same) return false;
    const hashes = perRank.map((x) => x.results[i].hash).filter((h) => h !== null);
    return hashes.length > 0 && hashes.some((h) => h !== hashes[0]);
  });
  expect(disagree).toEqual([]);
  return names.length;
}

for (const W of [2, 4]) {
  describe(`${W} ranks launched with backend "cpu", hostmem tensors`, () => {
    let world: World;
    beforeAll(async () => {
      world = await launch({ worldSize: W, heapBytes: 8 << 20, backend: "cpu", rankModule });
    });
    afterAll(() => world?.close());

    it("every symm_mem collective, all dtypes and reduce ops: bit-exact, results are hostmem tensors", async () => {
      const all = await world.run<Result<typeof collectives>>("collectives", { counts: [0, 1, 7, 1003], seed: 0x1234 + W });
      const checks = expectClean(all);
      expect(checks).toBeGreaterThan(1000);
      for (const x of all) {
        // Hostmem tensors are not symmetric: every registered argument was realized through
        // hostmem's toHeap, and every written one copied back with its fromHeap.
        expect(x.realizations).toBeGreaterThan(0);
        expect(x.counters.toHeap).toBe(x.realizations);
        expect(x.copyBacks).toBeGreaterThan(0);
        expect(x.counters.fromHeap).toBe(x.copyBacks);
        // The kernels reduced with hostmem's reducer, strided rows (split_last_dim) included.
        expect(x.counters.reducer).toBeGreaterThan(0);
        expect(x.counters.reduceToTensor).toBeGreaterThan(0);
        expect(x.counters.reduceToHeap).toBeGreaterThan(0);
        expect(x.counters.stridedSources).toBeGreaterThan(0);
        expect(x.counters.fill32).toBe(2);
      }
    });

    it("rank.allReduce (every algorithm) / reduceScatter / allGather / broadcast: bit-exact, hostmem results", async () => {
      const all = await world.run<Result<typeof highLevel>>("highLevel", 99);
      expectClean(all);
      for (const x of all) {
        expect(x.counters.toHeap).toBe(x.realizations);
        expect(x.counters.fromHeap).toBe(x.copyBacks);
        expect(x.realizations).toBeGreaterThan(0);
        // The host algorithm copies the input with hostmem.copy, then stages it through
        // hostmem.endpoint: whole (small), chunked with stage/write (> 256 KiB).
        expect(x.counters.copy).toBeGreaterThan(0);
        expect(x.counters.endpoint).toBeGreaterThan(0);
        expect(x.counters.endpointStage).toBeGreaterThan(0);
        expect(x.counters.endpointWrite).toBeGreaterThan(0);
      }
    });

    it("put / get on symmetric tensors, staged with hostmem's toHeap / fromHeap", async () => {
      const all = await world.run<Result<typeof putGet>>("putGet", 5);
      expectClean(all);
      for (const x of all) {
        expect(x.counters.toHeap).toBe(4);
        expect(x.counters.fromHeap).toBe(8);
      }
    });

    it("an op without a hostmem kernel fails with the dispatcher's no-kernel OpError", async () => {
      const all = await world.run<Result<typeof negatives>>("negatives");
      for (const x of all) {
        expect(x.downstreamOp).toEqual({
          name: "OpError", isOpError: true,
          message: 'hostmem_test::twice: no kernel for backend "hostmem" (kernels exist for: cpu)',
        });
        expect(x.released).toEqual({
          name: "OpError", isOpError: true,
          message: 'symm_mem::one_shot_all_reduce: no kernel for backend "hostmem" (kernels exist for: cpu, webgpu)',
        });
        expect(x.hostReleased).toEqual({
          name: "OpError", isOpError: true,
          message: 'webshmem::host_all_reduce_: no kernel for backend "hostmem" (kernels exist for: cpu, webgpu)',
        });
        expect(x.mixed?.isOpError).toBe(true);
        expect(x.mixed?.message).toMatch(/tensors from different backends cannot be mixed: input on hostmem; out on cpu/);
        expect(x.afterDispose?.message).toMatch(/hostmem: a int32\[2\] tensor was used after dispose/);
        expect(x.again).toEqual([W, 2 * W, 3 * W, 4 * W]);
        expect(x.reregistered.hostAllReduce).toBe(true);
        expect(x.realizations).toBe(1);
      }
    });
  });
}

describe('launch({ backend: "hostmem" })', () => {
  it("is refused until the launching realm registers the backend", async () => {
    if (listBackends().includes(HOSTMEM)) unregisterBackend(HOSTMEM);
    const p = launch({ worldSize: 2, heapBytes: 1 << 16, backend: HOSTMEM, rankModule });
    await expect(p).rejects.toBeInstanceOf(LaunchError);
    await expect(p).rejects.toThrow(/backend must be one of the registered backends \("cpu", "webgpu"\), found "hostmem"/);
    registerThirdBackend();
    expect(listBackends()).toContain(HOSTMEM);
  });

  for (const W of [2, 4]) {
    it(`${W} ranks: rank.tensor is hostmem's, and the shared collective matrix runs through it bit-exact`, async () => {
      registerThirdBackend();
      // Every op × dtype × reduce op of the shared matrix, symmetric and regular placements, at
      // small counts: regular tensors are hostmem's, and symmetric inputs of ops that return a
      // new tensor reduce into one through hostmem's reducer (the rank's default backend).
      const cases = allCases(W, [0, 1, 5, 67]);
      const arenaBytes = Math.max(...cases.map((c) => caseArenaBytes(c, W)));
      const regular = Math.max(...cases.map((c) => caseRegularBytes(c, W)));
      const world = await launch({
        worldSize: W, heapBytes: Math.ceil((arenaBytes + 2 * regular + (1 << 20)) / 256) * 256, backend: HOSTMEM, rankModule,
      });
      try {
        const before = await world.run<Result<typeof counters>>("counters");
        const perRank = await world.run<CaseSummary[]>("runCases", { cases, arenaBytes, exact: true });
        const failures = cases.flatMap((c, i) => {
          const bad = perRank.flatMap((s, r) => s[i].mismatches > 0 ? [`${c.op} ${c.dtype} ${c.reduceOp} n=${c.count} ${c.placement}: rank ${r}: ${s[i].detail}`] : []);
          const hashes = perRank.map((s) => s[i].resultHash);
          if (MATRIX_OPS[c.op].sameOnAllRanks && hashes.some((h) => h !== hashes[0])) bad.push(`${c.op}: ranks disagree`);
          return bad;
        });
        expect(failures).toEqual([]);
        const after = await world.run<Result<typeof counters>>("counters");
        after.forEach((a, r) => {
          expect(a.toHeap - before[r].toHeap).toBeGreaterThan(0);
          expect(a.fromHeap - before[r].fromHeap).toBeGreaterThan(0);
          expect(a.reduceToTensor - before[r].reduceToTensor).toBeGreaterThan(0);
          expect(a.reduceToHeap - before[r].reduceToHeap).toBeGreaterThan(0);
          expect(a.stridedSources - before[r].stridedSources).toBeGreaterThan(0);
        });
        const d = await world.run<Result<typeof defaults>>("defaults");
        d.forEach((x) => {
          expect(x.rankBackend).toBe(HOSTMEM);
          expect(x.tensorIsHostmem).toBe(true);
          expect(x.symmetricResultIsHostmem).toBe(true);
          expect(x.symmetricResult).toEqual([(W * (W - 1)) / 2, W, 2 * W]);
          expect(x.shutdownCalls).toBe(1);
        });
      } finally {
        await world.close();
      }
    });
  }
});
