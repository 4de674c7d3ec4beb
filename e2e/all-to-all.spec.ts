// The all-to-all samples and error cases (issue 11) on 3 Web Workers in Chromium (an odd world), each with a real
// WebGPU device (SwiftShader); the full matrix runs on Node (test/collectives/all-to-all-matrix.test.ts).
import { a2aScenarios } from "../test/shared/all-to-all-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("all-to-all in Chromium, webgpu, 3 ranks", "all-to-all-scenarios", "a2aScenarios", Object.keys(a2aScenarios), 3);
