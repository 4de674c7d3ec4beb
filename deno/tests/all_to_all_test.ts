// Deno tests: the all-to-all samples and error cases (issue 11) on 3 Deno workers (an odd world), each with a
// real WebGPU device (lavapipe); the full matrix runs on Node (test/collectives/all-to-all-matrix.test.ts).
import { a2aScenarios } from "../../test/shared/all-to-all-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno all-to-all tests on webgpu: ${skip}`);
for (const [name, scenario] of Object.entries(a2aScenarios)) {
  Deno.test({
    name: `all-to-all ${name} (3 ranks, webgpu)`,
    ignore: skip !== undefined,
    // close() ends the workers and devices; Deno's sanitizers see worker messages still settling.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 3 })}`);
    },
  });
}
