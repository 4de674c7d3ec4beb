// The benchmark's rank functions (ranks.ts) as a rank worker, for pages a bundler builds: the demo
// page imports it with ?worker&url and passes it to benchMain as RunEnv.rankWorker. The CLI
// entries (Deno, Node, the Chromium bench page on the dev server) launch ranks.ts as a rankModule.
import { serveRanks } from "../worker.ts";
import * as ranks from "./ranks.ts";

serveRanks(ranks);
