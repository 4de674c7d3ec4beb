// Node runs TypeScript in worker threads through tsx; browsers (Vite) and Deno load
// rank-worker.ts directly.
import { register } from "tsx/esm/api";

register();
await import("./rank-worker.ts");
