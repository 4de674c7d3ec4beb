// Deno tests: the op-library scenarios on 4 Deno workers with WebGPU devices (lavapipe).
import { opScenarios } from "../../test/shared/op-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno op tests on webgpu: ${skip}`);

for (const [name, scenario] of Object.entries(opScenarios)) {
  Deno.test({
    name: `ops ${name} (4 ranks, webgpu)`,
    ignore: skip !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 4 })}`);
    },
  });
}
