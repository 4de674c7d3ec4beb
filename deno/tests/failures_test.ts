// Deno tests: the fault-injection scenarios (issue 13) on 4 Deno workers, each with a real WebGPU device (lavapipe).
import { failureScenarios } from "../../test/shared/failure-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("failures", failureScenarios);
