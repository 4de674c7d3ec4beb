/**
 * rank.plan on Node's cpu backend, world sizes 1-4: planned == eager bit for bit (built-in ops
 * and a downstream op library defined only in test code), against an f64 reference too; 0
 * realizations and 0 heap allocations per replay; mutation and aliasing; re-planning; plans that
 * differ across ranks; refusals by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type World } from "../../src/index.ts";
import type * as Ranks from "../fixtures/plan-ranks.ts";

type R<K extends keyof typeof Ranks> = Awaited<ReturnType<(typeof Ranks)[K]>>;
const rankModule = new URL("../fixtures/plan-ranks.ts", import.meta.url);

for (const worldSize of [1, 2, 3, 4]) {
  describe(`${worldSize} rank(s), cpu`, () => {
    let world: World;
    beforeAll(async () => {
      world = await launch({ worldSize, heapBytes: 1 << 20, backend: "cpu", rankModule });
    });
    afterAll(() => world?.close());

    it("built-in ops: planned == eager == the f64 reference, bit for bit; replays realize and allocate nothing", async () => {
      const all = await world.run<R<"builtinOps">>("builtinOps", 10);
      for (const r of all) {
        expect(r.plan).toEqual(r.eager);
        expect(r.eager).toEqual(r.reference);
        expect(r.planInputs).toEqual(r.eagerInputs); // gathered and scattered (mutated) hold the same bits
        expect(r.identity.every((ids) => ids.join() === "false,true,true")).toBe(true); // g, r: the caller's own tensors
        expect(r.replayMoved).toEqual({ realizations: 0, workspaceAllocations: 0, copyBacks: 0, newAllocations: 0 });
        expect(r.stats).toMatchObject({ traces: 1, replans: 0, replays: 3, heapAllocations: 1, placementCopies: 0 });
        // Per call: y, a (via one_shot_all_reduce_out), gathered twice (all-gather's out, reduce-scatter's input), scattered.
        expect(r.stats.realizationsAvoided).toBe(3 * 6);
        expect(r.stats.inputCopies).toBe(3 * 2); // gathered, scattered
        expect(r.stats.copyBacks).toBe(3 * 2);
        expect(r.stats.outputCopies).toBe(3); // a
        expect(r.description).toMatch(/symm_mem::one_shot_all_reduce as symm_mem::one_shot_all_reduce_out/);
        expect(r.description).toMatch(/test_ns::scale as test_ns::scale\.out/);
      }
    });

    it("a downstream collective defined in test code: planned == eager; a producer without out= is copied after it", async () => {
      const all = await world.run<R<"downstream">>("downstream", 7);
      for (const r of all) {
        expect(r.plan).toEqual(r.eager);
        expect(r.eager).toEqual(r.reference);
        expect(r.replayMoved.realizations).toBe(0);
        expect(r.replayMoved.newAllocations).toBe(0);
        expect(r.stats).toMatchObject({ traces: 1, replays: 3, placementCopies: 3, realizationsAvoided: 6, outputCopies: 0 });
        expect(r.description).toMatch(/test_ns::shift -> %\d+, then copies %\d+ into the heap/);
      }
    });

    it("a replay issues independent ops while a producer writes its home (eager waits for each op in turn)", async () => {
      const all = await world.run<R<"overlap">>("overlap", 6);
      for (const r of all) {
        expect(r.plan).toEqual(r.eager);
        // compare() alternates: eager, planned (first call: traced and run as a replay), eager, replay, ...
        expect(r.gateWaits).toEqual(["timed out", "opened", "timed out", "opened", "timed out", "opened"]);
        expect(r.replayMoved.realizations).toBe(0);
        expect(r.description).toMatch(/test_ns::gate_wait as test_ns::gate_wait\.out/);
      }
    });

    it("mutation and aliasing keep eager semantics", async () => {
      const all = await world.run<R<"mutation">>("mutation", 9);
      for (const r of all) {
        for (const c of [r.inPlaceOnPlanned, r.returnsMutatedInput, r.readAfterMutation, r.sameInputTwice]) {
          expect(c.plan).toEqual(c.eager);
          expect(c.planInputs).toEqual(c.eagerInputs);
          expect(c.replayMoved.realizations).toBe(0);
        }
        expect(r.returnsMutatedInput.identity).toEqual([[true], [true]]); // the caller's own tensor, mutated
        expect(r.returnsMutatedInput.stats).toMatchObject({ inputCopies: 2, copyBacks: 2, outputCopies: 0 });
        expect(r.inPlaceOnPlanned.identity).toEqual([[false], [false]]);
        expect(r.inPlaceOnPlanned.stats.outputCopies).toBe(2);
        expect(r.readAfterMutation.stats).toMatchObject({ copyBacks: 2 });
        expect(r.sameInputTwice.plan).toEqual(r.readAfterMutation.plan); // the second input is the first, mutated
        expect(r.sameInputTwice.stats).toMatchObject({ inputCopies: 2, copyBacks: 2 });
        // The input after the step holds the sum, and the result is twice it: read after the mutation.
        const sum = (r.readAfterMutation.planInputs[0] as string[][])[0];
        const doubled = sum.map((h) => {
          const f = new Float32Array(new Uint32Array([parseInt(h, 16)]).buffer)[0] * 2;
          return new Uint32Array(Float32Array.of(f).buffer)[0].toString(16);
        });
        expect(r.readAfterMutation.plan[0]).toEqual(doubled);
      }
    });

    it("re-plans on a shape or dtype change (counted), never replays a stale plan; dispose frees the heap", async () => {
      const all = await world.run<R<"replan">>("replan");
      all.forEach((r, rank) => {
        expect(r.seen.map((s) => [s.traces, s.replans, s.replays])).toEqual([[1, 0, 1], [1, 0, 2], [2, 1, 3], [3, 2, 4], [4, 3, 5]]);
        const tri = (k: number) => (worldSize * (worldSize + 1)) / 2 + k * worldSize;
        expect(r.seen.map((s) => s.sum[0])).toEqual([tri(0), tri(1), tri(0), tri(0), tri(2)].map(String));
        expect(r.seen[2].sum.length).toBe(16);
        expect(r.liveAfter).toBe(1);
        expect(r.liveAfterDispose).toBe(0);
        expect(r.disposedError).toMatch(/disposed/);
        void rank;
      });
    });

    it("refuses an op without a meta kernel by name, a direct rank.ops call while tracing, and a captured tensor", async () => {
      const all = await world.run<R<"refusals">>("refusals");
      for (const r of all) {
        expect(r.noMeta).toMatch(/^OpError: rank\.plan: test_ns::nometa cannot be planned: test_ns::nometa has no meta kernel/);
        expect(r.direct).toMatch(/^OpError: symm_mem::one_shot_all_reduce: called through rank\.ops or rank\.call while rank\.plan traces/);
        expect(r.captured).toMatch(/^OpError: rank\.plan: test_ns::scale: argument "x" is a tensor the step function captured/);
        expect(r.allocated).toBe(0);
        expect(r.realizations).toBe(0);
      }
    });

    it("the documented example (docs/plan.md, README)", async () => {
      const all = await world.run<R<"example">>("example", 6);
      for (const r of all) {
        expect(r.first).toEqual(r.eager);
        expect(r.again).toEqual(r.eager);
        expect(r.realizationsOnReplay).toBe(0);
        expect(r.stats).toMatchObject({ traces: 1, replays: 2, realizationsAvoided: 2, heapAllocations: 1, heapBytes: 256 });
      }
    });

    it.skipIf(worldSize === 1)("a plan on a subgroup allocates in the subgroup's heap only", async () => {
      const all = await world.run<R<"subgroup">>("subgroup", 5);
      all.forEach((r, rank) => {
        expect(r.member).toBe(rank < 2);
        if (!("plan" in r)) return;
        expect(r.plan).toEqual(r.eager);
        expect(r.replayMoved).toEqual({ realizations: 0, workspaceAllocations: 0, copyBacks: 0, newAllocations: 0 });
        expect(r.stats).toMatchObject({ traces: 1, heapAllocations: 1, realizationsAvoided: 2 });
        expect(r.description).toMatch(/in "pair" at 0/);
      });
    });

    it.skipIf(worldSize === 1)("ranks whose plans differ get an AgreementError naming the difference, on every rank", async () => {
      const all = await world.run<R<"planDiffers">>("planDiffers", 8);
      for (const r of all) {
        expect(r.name).toBe("AgreementError");
        expect(r.message).toMatch(/webshmem::plan .*ranks disagree on the plan's graph/);
        expect(r.live).toBe(0);
      }
    });
  });
}
