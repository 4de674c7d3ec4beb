// fused_all_gather_matmul and fused_matmul_reduce_scatter samples on Web Workers in Chromium with
// WebGPU devices (SwiftShader: no shader-f16, so the float16 sample reports a skip), against the
// unfused decomposition; the full matrix runs on Node (cpu).
import { fusedScenarios } from "../test/shared/fused-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("fused matmul ops in Chromium, webgpu, 4 ranks", "fused-scenarios", "fusedScenarios",
  Object.keys(fusedScenarios));
