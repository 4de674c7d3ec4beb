// Deno tests: the heap scenarios on 4 Deno workers, each with a real WebGPU device (lavapipe).
import { heapScenarios } from "../../test/shared/heap-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("heap", heapScenarios);
