// Deno tests: tile_reduce and multi_root_tile_reduce samples (strided tiles, an odd world size, the
// bad inputs) on Deno workers with WebGPU devices (lavapipe); the full matrix runs on Node (cpu).
import { tileScenarios } from "../../test/shared/tile-scenarios.ts";
import { scenarioTests } from "./scenario-tests.ts";

await scenarioTests("tile", tileScenarios);
