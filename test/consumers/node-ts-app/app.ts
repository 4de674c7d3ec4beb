// app.ts: `node --import tsx app.ts` — TypeScript on Node through your own loader (tsx here). The
// rank functions are TypeScript too, served by ranks.worker.mjs.
import { launch } from "webshmem";

const worldSize = 4;
const n = 1000;
const world = await launch({
  worldSize, heapBytes: 1 << 20, backend: "cpu", rankWorker: new URL("./ranks.worker.mjs", import.meta.url),
});
try {
  const handshake = await world.run<number>("handshake");        // [42, -1, -1, -1]
  const results = await world.run<{ backend: string; values: number[] }>("allReduce", n);
  // Checked independently of the library: sum over ranks r of (r * 1000 + i).
  const expected = Array.from({ length: n }, (_, i) => 1000 * (worldSize * (worldSize - 1)) / 2 + worldSize * i);
  const wrong = results.reduce((k, { values }) => k + values.filter((v, i) => v !== expected[i]).length, 0);
  const ok = handshake.join() === "42,-1,-1,-1" && wrong === 0 && results.every((r) => r.backend === "cpu");
  console.log(ok ? `verified: ${worldSize} ranks on ${world.backend}` : `NOT verified: ${handshake}, ${wrong} wrong values`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await world.close();
}
