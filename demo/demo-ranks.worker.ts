// The demo's rank worker: Vite builds it (demo/main.ts imports it with ?worker&url), in
// development and in production builds alike, and launch({ rankWorker }) starts one per rank.
import { serveRanks } from "../src/worker.ts";
import * as ranks from "./demo-ranks.ts";

serveRanks(ranks);
