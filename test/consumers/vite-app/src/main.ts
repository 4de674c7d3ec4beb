// src/main.ts: the page. The rank worker is imported with ?worker&url, so Vite bundles it in
// development and in production builds alike.
import { describeAdapter, launch } from "webshmem";
import rankWorker from "./ranks.worker.ts?worker&url";

const out = document.querySelector<HTMLParagraphElement>("#result")!;
const worldSize = 4;
const n = 1000;

async function main(): Promise<string> {
  const world = await launch({ worldSize, heapBytes: 1 << 20, backend: "webgpu", rankWorker });
  try {
    const handshake = await world.run<number>("handshake");      // [42, -1, -1, -1]
    const results = await world.run<{ backend: string; values: number[] }>("allReduce", n);
    // Checked independently of the library: sum over ranks r of (r * 1000 + i).
    const expected = Array.from({ length: n }, (_, i) => 1000 * (worldSize * (worldSize - 1)) / 2 + worldSize * i);
    const wrong = results.reduce((k, { values }) => k + values.filter((v, i) => v !== expected[i]).length, 0);
    const ok = handshake.join() === "42,-1,-1,-1" && wrong === 0 && results.every((r) => r.backend === "webgpu");
    const adapters = world.adapters.map(describeAdapter).join("; ");
    return ok ? `verified: ${worldSize} ranks on ${world.backend} (${adapters})` : `NOT verified: ${handshake}, ${wrong} wrong values`;
  } finally {
    await world.close();
  }
}

main().then((text) => (out.textContent = text), (e: unknown) => (out.textContent = `failed: ${String(e)}`));
