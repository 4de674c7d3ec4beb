// Deno tests: rank.plan (trace, place, replay) on Deno workers with WebGPU devices (lavapipe):
// planned == eager bit for bit, zero realizations and heap allocations per replay, mutation,
// re-planning and plans that differ across ranks; the full cases run on Node (cpu, test/plan/).
import { planScenarios } from "../../test/fixtures/plan-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("plan", planScenarios);
