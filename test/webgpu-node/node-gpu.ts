/**
 * WebGPU on Node for the tests: Dawn (npm `webgpu`) on SwiftShader's Vulkan driver from Debian's
 * chromium package, unless VK_ICD_FILENAMES already names a driver. `probeNodeGpu()` says why
 * the tests cannot run here (no `webgpu` package, no driver, no adapter), and whether shader-f16 is there.
 */
import { existsSync } from "node:fs";
import { describe, it } from "vitest";
import { SWIFTSHADER_ICD } from "../../src/internal.ts";

if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

/** Why the Node webgpu tests cannot run (skip), or whether the adapter has shader-f16. */
export async function probeNodeGpu(): Promise<{ skip: string | undefined; f16: boolean }> {
  if (process.env.VK_ICD_FILENAMES === undefined) {
    return { skip: `no Vulkan driver named: apt-get install -y chromium (it ships ${SWIFTSHADER_ICD}) or set VK_ICD_FILENAMES`, f16: false };
  }
  let dawn: { create(o: string[]): GPU };
  try {
    const name = "webgpu";
    dawn = (await import(/* @vite-ignore */ name)) as { create(o: string[]): GPU };
  } catch (e) {
    return { skip: `the optional npm package "webgpu" is not installed (${(e as Error).message})`, f16: false };
  }
  const adapter = await dawn.create([]).requestAdapter();
  if (adapter === null) return { skip: `no WebGPU adapter from Dawn with VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`, f16: false };
  return { skip: undefined, f16: adapter.features.has("shader-f16") };
}

/** A scenario of the shared runners: runs on every rank of a launched group and says what it checked. */
export type GpuScenario = (o: { backend: "webgpu"; worldSize: number }) => Promise<string>;

/**
 * One Vitest suite of shared scenarios on Node's webgpu backend, `worldSize` worker_threads ranks:
 * skipped, with the reason printed, where Node has no WebGPU.
 */
export async function describeNodeGpuScenarios(
  title: string, scenarios: Readonly<Record<string, GpuScenario>>, worldSize: number, timeoutMs: number,
): Promise<void> {
  const { skip } = await probeNodeGpu();
  if (skip !== undefined) console.warn(`SKIP ${title}: ${skip}`);
  (skip === undefined ? describe : describe.skip)(`${title}, Node, webgpu (Dawn on SwiftShader)`, () => {
    for (const [name, scenario] of Object.entries(scenarios)) {
      it(name, async () => {
        console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize })}`);
      }, timeoutMs);
    }
  });
}
