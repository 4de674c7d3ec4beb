import { webgpuSkipReason } from "./gpu.ts";

type Scenario = (o: { backend: "webgpu"; worldSize: number }) => Promise<string>;

/** Deno tests for a record of scenarios in test/shared/, on 4 Deno workers with WebGPU devices. */
export async function scenarioTests(prefix: string, scenarios: Record<string, Scenario>): Promise<void> {
  const skip = await webgpuSkipReason();
  if (skip) console.warn(`SKIP deno ${prefix} tests on webgpu: ${skip}`);
  for (const [name, scenario] of Object.entries(scenarios)) {
    Deno.test({
      name: `${prefix} ${name} (4 ranks, webgpu)`,
      ignore: skip !== undefined,
      // close() ends the workers and devices; Deno's sanitizers see worker messages still settling.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 4 })}`);
      },
    });
  }
}
