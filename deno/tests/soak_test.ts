// Deno test: the soak (issue 13) on webgpu: 300 mixed verified collectives over 4 Deno workers with
// WebGPU devices (lavapipe), in 3 rounds; the symmetric heap, the ranks' JS heaps and the RSS stable.
import { launch } from "../../src/index.ts";
import type { SoakRound } from "../../test/fixtures/failure-ranks.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno soak on webgpu: ${skip}`);
const MiB = 1 << 20;

Deno.test({
  name: "soak: 300 mixed verified collectives (4 ranks, webgpu), memory stable",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const world = await launch({
      worldSize: 4, heapBytes: 1 << 22, backend: "webgpu", timeoutMs: 30_000,
      rankModule: new URL("../../test/fixtures/failure-ranks.ts", import.meta.url),
    });
    try {
      const rounds: SoakRound[][] = [];
      const rss: number[] = [];
      for (let r = 0; r < 3; r++) {
        rounds.push(await world.run<SoakRound>("soak", { iterations: 100, seed: 7 + r, maxElems: 1024 }));
        rss.push(Deno.memoryUsage().rss);
      }
      const verified = rounds.flat().reduce((a, x) => a + x.verified, 0) / 4;
      console.log(`  soak: ${verified} collectives verified on every rank; RSS by round (MiB): ` +
        rss.map((v) => (v / MiB).toFixed(0)).join(", ") + "; rank 0 JS heap (MiB): " +
        rounds.map((x) => ((x[0].jsHeapUsed ?? 0) / MiB).toFixed(1)).join(", "));
      const failed = rounds.flat().flatMap((x) => x.failed);
      if (failed.length > 0) throw new Error(`wrong results: ${failed.join("; ")}`);
      if (verified !== 300) throw new Error(`expected 300 verified collectives, found ${verified}`);
      for (const round of rounds) for (const x of round) {
        if (x.live !== 0 || x.liveBytes !== 0) throw new Error(`a rank kept ${x.live} allocations (${x.liveBytes} bytes)`);
      }
      if (rss[2] - rss[0] > 128 * MiB) throw new Error(`RSS grew by ${((rss[2] - rss[0]) / MiB).toFixed(0)} MiB over 2 rounds`);
      for (let k = 0; k < 4; k++) {
        const grew = (rounds[2][k].jsHeapUsed ?? 0) - (rounds[0][k].jsHeapUsed ?? 0);
        if (grew > 24 * MiB) throw new Error(`rank ${k}'s JS heap grew by ${(grew / MiB).toFixed(1)} MiB over 2 rounds`);
      }
    } finally {
      await world.close();
    }
  },
});
