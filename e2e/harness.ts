/**
 * The page Playwright drives (e2e/harness.html), the same on the Vite dev server (project "dev")
 * and in a production build (project "built": `WEBSHMEM_E2E_BUILD=1 vite build`, vite.config.ts).
 * Specs cannot import source files from a built page, so every module they run in the page is
 * listed here, where Vite sees it and bundles it, and every rank fixture the shared scenarios
 * launch is built into a rank worker (`?worker&url` of test/fixtures/workers/*.worker.ts) and
 * handed to them (test/shared/rank-source.ts). Specs reach both through `globalThis.__harness`
 * (e2e/harness-page.ts: `openHarness(page)`, then `(globalThis as unknown as HarnessGlobal).__harness`
 * inside `page.evaluate`).
 */
import collectiveRanks from "../test/fixtures/workers/collective-ranks.worker.ts?worker&url";
import failureRanks from "../test/fixtures/workers/failure-ranks.worker.ts?worker&url";
import customOpRanks from "../test/fixtures/workers/custom-op-ranks.worker.ts?worker&url";
import heapRanks from "../test/fixtures/workers/heap-ranks.worker.ts?worker&url";
import hostRanks from "../test/fixtures/workers/host-ranks.worker.ts?worker&url";
import moeRanks from "../test/fixtures/workers/moe-ranks.worker.ts?worker&url";
import tileRanks from "../test/fixtures/workers/tile-ranks.worker.ts?worker&url";
import allToAllRanks from "../test/fixtures/workers/all-to-all-ranks.worker.ts?worker&url";
import mmRanks from "../test/fixtures/workers/mm-ranks.worker.ts?worker&url";
import planRanks from "../test/fixtures/workers/plan-ranks.worker.ts?worker&url";
import fusedRanks from "../test/fixtures/workers/fused-ranks.worker.ts?worker&url";
import tpMlpRanks from "../examples/tp-mlp/mlp-ranks.worker.ts?worker&url";
import { type RankFixture, useRankWorkers } from "../test/shared/rank-source.ts";

const modules = {
  index: () => import("../src/index.ts"),
  "heap-scenarios": () => import("../test/shared/heap-scenarios.ts"),
  "op-scenarios": () => import("../test/shared/op-scenarios.ts"),
  "host-scenarios": () => import("../test/shared/host-scenarios.ts"),
  "failure-scenarios": () => import("../test/shared/failure-scenarios.ts"),
  "collective-matrix": () => import("../test/shared/collective-matrix.ts"),
  "wgsl-scenarios": () => import("../test/shared/wgsl-scenarios.ts"),
  "with-device": () => import("../test/shared/with-device.ts"),
  "moe-scenarios": () => import("../test/shared/moe-scenarios.ts"),
  "tile-scenarios": () => import("../test/shared/tile-scenarios.ts"),
  "all-to-all-scenarios": () => import("../test/shared/all-to-all-scenarios.ts"),
  "mm-scenarios": () => import("../test/shared/mm-scenarios.ts"),
  "plan-scenarios": () => import("../test/fixtures/plan-scenarios.ts"),
  "fused-scenarios": () => import("../test/shared/fused-scenarios.ts"),
  "tp-mlp-scenarios": () => import("../test/shared/tp-mlp-scenarios.ts"),
};

/** The modules a spec may load in the page, by name. */
export type HarnessModules = { [K in keyof typeof modules]: Awaited<ReturnType<(typeof modules)[K]>> };

export interface Harness {
  /** Imports one of the modules the specs use (a chunk of the build, or the source on the dev server). */
  load<K extends keyof HarnessModules>(name: K): Promise<HarnessModules[K]>;
  /** The rank worker built for each fixture; the scenarios launch with these (useRankWorkers). */
  readonly rankWorkers: Readonly<Record<RankFixture, string>>;
  /** test/shared/rank-source.ts's setter: `useRankWorkers({})` sends the scenarios back to `rankModule`. */
  readonly useRankWorkers: typeof useRankWorkers;
  /** True in a production build, false on the dev server. */
  readonly bundled: boolean;
}

const rankWorkers: Record<RankFixture, string> = {
  "heap-ranks": heapRanks,
  "collective-ranks": collectiveRanks,
  "custom-op-ranks": customOpRanks,
  "host-ranks": hostRanks,
  "failure-ranks": failureRanks,
  "moe-ranks": moeRanks,
  "tile-ranks": tileRanks,
  "all-to-all-ranks": allToAllRanks,
  "mm-ranks": mmRanks,
  "plan-ranks": planRanks,
  "fused-ranks": fusedRanks,
  "tp-mlp-ranks": tpMlpRanks,
};

useRankWorkers(rankWorkers);
const harness: Harness = {
  load: (name) => modules[name]() as Promise<HarnessModules[typeof name]>,
  rankWorkers,
  useRankWorkers,
  bundled: import.meta.env.PROD,
};
(globalThis as { __harness?: Harness }).__harness = harness;
