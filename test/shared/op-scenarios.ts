/**
 * The op-library scenarios, run on every runtime: a downstream op (test/fixtures/custom-op-ranks.ts)
 * whose registered argument the dispatcher realizes in the heap.
 */
import { launch, type BackendName, type World } from "../../src/index.ts";
import { check, sameArray } from "./check.ts";
import { rankSource } from "./rank-source.ts";
import type { downstream } from "../fixtures/custom-op-ranks.ts";

export interface OpScenarioOptions {
  backend: BackendName;
  worldSize: number;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../fixtures/custom-op-ranks.ts", import.meta.url);
const tri = (n: number) => (n * (n + 1)) / 2;
const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

async function withWorld<T>(o: OpScenarioOptions, body: (w: World) => Promise<T>): Promise<T> {
  const world = await launch({ worldSize: o.worldSize, heapBytes: 1 << 20, backend: o.backend, ...rankSource("custom-op-ranks", rankModule) });
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

export const opScenarios: Record<string, (o: OpScenarioOptions) => Promise<string>> = {
  async realizeOnceAndReuse(o) {
    return withWorld(o, async (w) => {
      const n = 100;
      const results = await w.run<Awaited<ReturnType<typeof downstream>>>("downstream", n);
      for (const [r, x] of results.entries()) {
        sameArray(x.r1, ramp(n, (i) => 0.5 * (i + 1) * tri(o.worldSize)), `rank ${r} first call`);
        sameArray(x.r2, ramp(n, (i) => 2 * (i + 1) * tri(o.worldSize)), `rank ${r} second call`);
        check(x.after1.realizations === 1, `rank ${r}: ${x.after1.realizations} realizations after one call`);
        check(x.after1.workspaceAllocations === 1, `rank ${r}: ${x.after1.workspaceAllocations} workspaces`);
        check(x.after2.realizations === 2, `rank ${r}: ${x.after2.realizations} realizations after two calls`);
        check(x.after2.workspaceAllocations === 1 && x.after2.freeBytes === x.after1.freeBytes,
          `rank ${r}: the second call allocated heap memory`);
      }
      return `${o.worldSize} ranks: 1 realization per call, workspace reused`;
    });
  },

  async copyBackInPlace(o) {
    return withWorld(o, async (w) => {
      const results = await w.run<{ same: boolean; x: number[]; stats: { copyBacks: number } }>("inPlace", 9);
      for (const [r, x] of results.entries()) {
        check(x.same, `rank ${r}: the op did not return the caller's tensor`);
        sameArray(x.x, ramp(9, (i) => (i + 1) * tri(o.worldSize)), `rank ${r} in-place result`);
        check(x.stats.copyBacks === 1, `rank ${r}: ${x.stats.copyBacks} copy-backs`);
      }
      return "mutated argument copied back";
    });
  },

  async symmetricInputAndGrowth(o) {
    return withWorld(o, async (w) => {
      const a = await w.run<{ r: number[]; stats: { realizations: number } }>("alreadySymmetric", 10);
      for (const [r, x] of a.entries()) {
        sameArray(x.r, ramp(10, (i) => (i + 1) * tri(o.worldSize)), `rank ${r} symmetric input`);
        check(x.stats.realizations === 0, `rank ${r}: a symmetric input was realized`);
      }
      await w.run("downstream", 10);
      const big = await w.run<{ after1: { workspaceAllocations: number } }>("downstream", 5000);
      for (const x of big) check(x.after1.workspaceAllocations === 2, "the workspace did not grow once");
      return "symmetric input used in place; workspace grew once";
    });
  },

  async highLevelAllReduce(o) {
    return withWorld(o, async (w) => {
      for (const n of [3, 60_001]) {
        const results = await w.run<{ x: number[]; y: number[]; distinct: boolean }>("highLevelAllReduce", n);
        for (const [r, x] of results.entries()) {
          check(x.distinct, `rank ${r}: allReduce returned its input`);
          sameArray(x.x, ramp(n, (i) => (r + 1) * (i + 1)), `rank ${r} input after allReduce (${n})`);
          sameArray(x.y, ramp(n, (i) => Math.fround((i + 1) * tri(o.worldSize))), `rank ${r} allReduce result (${n})`);
        }
      }
      return "allReduce: new tensor with the sum, input unchanged";
    });
  },
};
