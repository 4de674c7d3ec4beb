/**
 * symm_mem::fused_all_gather_matmul and symm_mem::fused_matmul_reduce_scatter on Node's WebGPU
 * (Dawn on SwiftShader, 2 worker_threads ranks with their own devices), through the shared
 * scenarios that Deno and Chromium run too (test/shared/fused-scenarios.ts), against the unfused
 * decomposition. Skipped, with the reason printed, where Node has no WebGPU (the other Dawn tests'
 * probe).
 */
import { fusedScenarios } from "../shared/fused-scenarios.ts";
import { describeNodeGpuScenarios } from "./node-gpu.ts";

await describeNodeGpuScenarios("fused matmul ops", fusedScenarios, 2, 180_000);
