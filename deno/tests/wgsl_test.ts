// Deno tests: the WGSL reduction kernels on a WebGPU device in the main thread (lavapipe, which
// has shader-f16, so float16 runs here), checked bitwise against the host oracle.
import { acquireTestDevice, wgslScenarios } from "../../test/shared/wgsl-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno wgsl tests: ${skip}`);

for (const [name, scenario] of Object.entries(wgslScenarios)) {
  Deno.test({
    name: `wgsl ${name} (webgpu, main thread)`,
    ignore: skip !== undefined,
    async fn() {
      const device = await acquireTestDevice();
      try {
        console.log(`  ${name}: ${await scenario(device)}`);
      } finally {
        device.destroy();
      }
    },
  });
}
