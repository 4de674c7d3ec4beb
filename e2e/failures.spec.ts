// The fault-injection scenarios (issue 13) on 4 Web Workers in Chromium, each with a real WebGPU device (SwiftShader).
import { failureScenarios } from "../test/shared/failure-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("failure scenarios in Chromium, webgpu, 4 ranks", "failure-scenarios", "failureScenarios",
  Object.keys(failureScenarios));
