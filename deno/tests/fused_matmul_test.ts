// Deno tests: fused_all_gather_matmul and fused_matmul_reduce_scatter samples (every gather and
// scatter dim, return_A both ways, symmetric inputs, an odd world size, the bad inputs) on Deno
// workers with WebGPU devices (lavapipe), against the unfused decomposition; the full matrix runs
// on Node (cpu).
import { fusedScenarios } from "../../test/shared/fused-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("fused matmul", fusedScenarios);
