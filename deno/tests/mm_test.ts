// Deno tests: webshmem::mm, mm.out and the matmul capability on Deno workers with WebGPU devices
// (lavapipe, which has shader-f16); every case runs on Node (cpu), these are samples.
import { mmScenarios } from "../../test/shared/mm-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("mm", mmScenarios);
