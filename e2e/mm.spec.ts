// webshmem::mm, mm.out and the matmul capability on Web Workers in Chromium with WebGPU devices
// (SwiftShader: no shader-f16, so float16's refusal is checked instead); every case runs on Node (cpu).
import { mmScenarios } from "../test/shared/mm-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("matmul in Chromium, webgpu, 2 ranks", "mm-scenarios", "mmScenarios", Object.keys(mmScenarios), 2);
