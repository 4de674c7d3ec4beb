// rank.plan (trace, place, replay) on Web Workers in Chromium with WebGPU devices (SwiftShader):
// planned == eager bit for bit, zero realizations and heap allocations per replay, mutation,
// re-planning and plans that differ across ranks; the full cases run on Node (cpu, test/plan/).
import { planScenarios } from "../test/fixtures/plan-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("rank.plan in Chromium, webgpu, 4 ranks", "plan-scenarios", "planScenarios", Object.keys(planScenarios));
