// main.ts: `deno run -A main.ts` — 4 ranks on WebGPU (Web Workers).
import { describeAdapter, launch } from "webshmem";

const worldSize = 4;
const n = 1000;
const world = await launch({
  worldSize, heapBytes: 1 << 20, backend: "webgpu", rankModule: new URL("./ranks.ts", import.meta.url),
});
try {
  for (const [r, a] of world.adapters.entries()) console.log(`rank ${r}: ${describeAdapter(a)}`);
  const handshake = await world.run<number>("handshake");        // [42, -1, -1, -1]
  const results = await world.run<{ backend: string; values: number[] }>("allReduce", n);
  // Checked independently of the library: sum over ranks r of (r * 1000 + i).
  const expected = Array.from({ length: n }, (_, i) => 1000 * (worldSize * (worldSize - 1)) / 2 + worldSize * i);
  const wrong = results.reduce((k, { values }) => k + values.filter((v, i) => v !== expected[i]).length, 0);
  const ok = handshake.join() === "42,-1,-1,-1" && wrong === 0 && results.every((r) => r.backend === "webgpu");
  console.log(ok ? `verified: ${worldSize} ranks on ${world.backend}` : `NOT verified: ${handshake}, ${wrong} wrong values`);
  if (!ok) Deno.exitCode = 1;
} finally {
  await world.close();
}
