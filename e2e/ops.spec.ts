// The op-library scenarios on 4 Web Workers in Chromium with WebGPU devices (SwiftShader).
import { opScenarios } from "../test/shared/op-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("op scenarios in Chromium, webgpu, 4 ranks", "op-scenarios", "opScenarios",
  Object.keys(opScenarios));
