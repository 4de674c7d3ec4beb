// How many threads this Deno process has before a 4-rank webgpu world, with it, and right after
// world.close() (docs/deno-exit-crash.md): with the fix, close() resolves once the rank workers'
// threads have ended, so "after close" is back to "before".
//   npx deno run -A scripts/repro/deno-close-threads.ts
import { launch } from "../../src/index.ts";

const count = () => [...Deno.readDirSync("/proc/self/task")].length;
const before = count();
const world = await launch({ worldSize: 4, heapBytes: 1 << 20, backend: "webgpu", rankModule: new URL("../../deno/hello-ranks.ts", import.meta.url) });
await world.run("barrierAll");
const during = count();
const t0 = performance.now();
await world.close();
const after = count();
console.log(`threads before ${before}, with the world ${during}, after close ${after}; close took ${(performance.now() - t0).toFixed(0)} ms`);
