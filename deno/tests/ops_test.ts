// Deno tests: the op-library scenarios on 4 Deno workers with WebGPU devices (lavapipe).
import { opScenarios } from "../../test/shared/op-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("ops", opScenarios);
