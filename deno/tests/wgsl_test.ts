// Deno tests: the WGSL reduction kernels, the program runner and the staging ring on a WebGPU
// device in the main thread (lavapipe, which has shader-f16, so float16 runs here), checked
// bitwise against the host oracle. Each test has its own device (testWithDevice).
import { wgslScenarios } from "../../test/shared/wgsl-scenarios.ts";
import { testWithDevice } from "./gpu.ts";

for (const [name, scenario] of Object.entries(wgslScenarios)) {
  await testWithDevice(`wgsl ${name} (webgpu, main thread)`, (device) => scenario(device));
}
