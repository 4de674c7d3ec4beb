// Deno tests of webshmem::host_all_reduce_ on WebGPU (lavapipe); the cases are in
// test/shared/host-scenarios.ts, which Playwright runs in Chromium too.
import { runHostScenario } from "../../test/shared/host-scenarios.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip) console.warn(`SKIP deno host all-reduce on webgpu: ${skip}`);

for (const worldSize of [4, 3]) {
  Deno.test({
    name: `host_all_reduce_, ${worldSize} ranks, webgpu: bit-exact and identical on every rank`,
    ignore: skip !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      console.log(`  ${await runHostScenario(worldSize)}`);
    },
  });
}
