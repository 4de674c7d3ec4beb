/**
 * `webshmem/worker`: the entry of a rank worker that an application builds itself, so that a
 * bundler can see and bundle its rank functions (Vite: `import url from "./ranks.worker.ts?worker&url"`,
 * then `launch({ rankWorker: url, ... })`). The worker file is two lines:
 *
 * ```ts
 * import { serveRanks } from "webshmem/worker";
 * import * as ranks from "./ranks.ts";
 * serveRanks(ranks);
 * ```
 */
import { LaunchError } from "./core/errors.ts";
import { serveRankService } from "./launch/serve.ts";
import type { RankFunctions } from "./launch/rank-service.ts";

export type { RankFunctions } from "./launch/rank-service.ts";

/**
 * Makes this worker a rank worker whose rank functions are `functions` (a module namespace or a
 * plain object of functions, each called as `fn(rank, ...args)` by `World.run`). Call it once, at
 * the top level of the worker module.
 */
export function serveRanks(functions: RankFunctions): Promise<void> {
  if (typeof functions !== "object" || functions === null) {
    throw new LaunchError(`serveRanks: expected the rank functions (a module namespace or an object of functions), found ${String(functions)}`);
  }
  return serveRankService(functions);
}
