/**
 * rank.plan on Node's webgpu backend (Dawn on SwiftShader), 3 worker_threads ranks: the shared
 * plan scenarios (test/fixtures/plan-scenarios.ts) that Deno and Chromium run too.
 */
import { planScenarios } from "../fixtures/plan-scenarios.ts";
import { describeNodeGpuScenarios } from "./node-gpu.ts";

await describeNodeGpuScenarios("rank.plan", planScenarios, 3, 120_000);
