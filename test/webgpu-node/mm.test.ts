/**
 * webshmem::mm, mm.out and the webgpu backend's matmul capability on Node's WebGPU (Dawn on
 * SwiftShader, 2 worker_threads ranks with their own devices), through the shared scenarios that
 * Deno and Chromium run too (test/shared/mm-scenarios.ts). Skipped, with the reason printed,
 * where Node has no WebGPU (the other Dawn tests' probe).
 */
import { describe, it } from "vitest";
import { mmScenarios } from "../shared/mm-scenarios.ts";
import { probeNodeGpu } from "./node-gpu.ts";

const { skip } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP Node webgpu matmul tests: ${skip}`);
const maybe = skip === undefined ? describe : describe.skip;

maybe("Node, webgpu (Dawn on SwiftShader): matmul", () => {
  for (const [name, scenario] of Object.entries(mmScenarios)) {
    it(name, async () => {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 2 })}`);
    }, 180_000);
  }
});
