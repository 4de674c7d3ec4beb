// tile_reduce and multi_root_tile_reduce samples on Web Workers in Chromium with WebGPU devices
// (SwiftShader: no shader-f16, so the samples leave float16 out); the full matrix runs on Node (cpu).
import { tileScenarios } from "../test/shared/tile-scenarios.ts";
import { scenarioSpecs } from "./scenario-spec.ts";

scenarioSpecs("tile reductions in Chromium, webgpu, 4 ranks", "tile-scenarios", "tileScenarios",
  Object.keys(tileScenarios));
