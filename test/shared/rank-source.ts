/**
 * Where the shared scenarios get their rank functions. By default a scenario launches with
 * `rankModule`, the fixture's URL, which the library's own rank worker imports: Vitest (Node),
 * Deno and the Vite dev server load files as they are. A page that a bundler built cannot load a
 * fixture that way, so it builds one rank worker per fixture (test/fixtures/workers/, each calls
 * `serveRanks`) and names them here once, before it runs a scenario (e2e/harness.ts does):
 *
 *   import heapRanks from "../test/fixtures/workers/heap-ranks.worker.ts?worker&url";
 *   useRankWorkers({ "heap-ranks": heapRanks, ... });
 *
 * Every scenario then launches with `rankWorker` for a fixture that has one, and with its
 * `rankModule` otherwise: one code path, `launch({ ..., ...rankSource("heap-ranks", url) })`.
 */
import type { LaunchOptions } from "../../src/index.ts";

/** The rank fixtures the shared scenarios launch, by file name. */
export type RankFixture = "heap-ranks" | "collective-ranks" | "custom-op-ranks" | "host-ranks" | "failure-ranks"
  | "moe-ranks" | "tile-ranks" | "all-to-all-ranks" | "mm-ranks" | "plan-ranks" | "fused-ranks" | "tp-mlp-ranks";

let workers: Partial<Record<RankFixture, string>> = {};

/** Rank worker URLs to launch with from now on, replacing any named before (`{}`: none, back to rankModule). */
export function useRankWorkers(urls: Partial<Record<RankFixture, string | URL>>): void {
  workers = Object.fromEntries(Object.entries(urls).map(([k, u]) => [k, String(u)]));
}

/** The launch options naming `fixture`'s rank functions: its rank worker if one was given, else `rankModule`. */
export function rankSource(fixture: RankFixture, rankModule: URL): Pick<LaunchOptions, "rankModule" | "rankWorker"> {
  const rankWorker = workers[fixture];
  return rankWorker === undefined ? { rankModule } : { rankWorker };
}
