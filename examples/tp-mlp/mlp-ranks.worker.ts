// examples/tp-mlp/mlp-ranks.ts as a rank worker, for pages a bundler builds: the Chromium test's
// harness (e2e/harness.ts) and T7's benchmark page (bench/tp-mlp-page.ts) import it with ?worker&url.
import { serveRanks } from "../../src/worker.ts";
import * as ranks from "./mlp-ranks.ts";

serveRanks(ranks);
