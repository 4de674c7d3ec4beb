// Deno tests: the heap scenarios on 4 Deno workers, each with a real WebGPU device (lavapipe).
import { heapScenarios } from "../../test/shared/heap-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno heap tests on webgpu: ${skip}`);

for (const [name, scenario] of Object.entries(heapScenarios)) {
  Deno.test({
    name: `heap ${name} (4 ranks, webgpu)`,
    ignore: skip !== undefined,
    // The world's workers and devices are torn down by close(); Deno's sanitizers see worker
    // messages still settling.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 4 })}`);
    },
  });
}
