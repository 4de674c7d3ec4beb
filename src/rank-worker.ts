/**
 * The library's own rank worker (Web Worker in browsers and Deno, worker_threads in Node), used
 * when `launch` is given a `rankModule`: it serves a rank and imports that module when the rank
 * is initialised. Applications do not import this file; `launch` starts it.
 */
import { serveRankService } from "./launch/serve.ts";

await serveRankService();
