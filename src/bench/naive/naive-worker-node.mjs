// Node runs the naive baseline's TypeScript worker through tsx, as workers/node-rank-worker.mjs does.
import { register } from "tsx/esm/api";

register();
await import("./naive-worker.ts");
