// ranks.worker.mjs: the rank worker for TypeScript rank functions on Node. Node 20 does not apply
// the main thread's loader (`--import tsx`) to worker threads, so the worker registers it itself.
import { register } from "tsx/esm/api";
import { serveRanks } from "webshmem/worker";

register();
serveRanks(await import("./ranks.ts"));
