/**
 * symm_mem::fused_all_gather_matmul and symm_mem::fused_matmul_reduce_scatter on Node's WebGPU
 * (Dawn on SwiftShader, 2 worker_threads ranks with their own devices), through the shared
 * scenarios that Deno and Chromium run too (test/shared/fused-scenarios.ts), against the unfused
 * decomposition. Skipped, with the reason printed, where Node has no WebGPU (the other Dawn tests'
 * probe).
 */
import { describe, it } from "vitest";
import { fusedScenarios } from "../shared/fused-scenarios.ts";
import { probeNodeGpu } from "./node-gpu.ts";

const { skip } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP Node webgpu fused matmul tests: ${skip}`);
const maybe = skip === undefined ? describe : describe.skip;

maybe("Node, webgpu (Dawn on SwiftShader): fused matmul ops", () => {
  for (const [name, scenario] of Object.entries(fusedScenarios)) {
    it(name, async () => {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 2 })}`);
    }, 180_000);
  }
});
