/**
 * webshmem::mm, mm.out and the webgpu backend's matmul capability on Node's WebGPU (Dawn on
 * SwiftShader, 2 worker_threads ranks with their own devices), through the shared scenarios that
 * Deno and Chromium run too (test/shared/mm-scenarios.ts). Skipped, with the reason printed,
 * where Node has no WebGPU (the other Dawn tests' probe).
 */
import { mmScenarios } from "../shared/mm-scenarios.ts";
import { describeNodeGpuScenarios } from "./node-gpu.ts";

await describeNodeGpuScenarios("matmul", mmScenarios, 2, 180_000);
