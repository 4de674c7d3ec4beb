// src/ranks.worker.ts: the rank worker. Vite bundles it with everything it imports.
import { serveRanks } from "webshmem/worker";
import * as ranks from "./ranks.ts";

serveRanks(ranks);
