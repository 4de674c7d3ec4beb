/**
 * Node as a WebGPU runtime (Dawn on SwiftShader): the heap, op and host scenarios and a sample of
 * the collective matrix that Deno and Chromium run, on 4 worker_threads ranks with their own
 * devices; and the guard that keeps SharedArrayBuffer views away from Dawn.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { launch } from "../../src/index.ts";
import { runCollectiveMatrix, SAMPLE_WINDOWS } from "../shared/collective-matrix.ts";
import { heapScenarios } from "../shared/heap-scenarios.ts";
import { runHostScenario } from "../shared/host-scenarios.ts";
import { opScenarios } from "../shared/op-scenarios.ts";
import { probeNodeGpu } from "./node-gpu.ts";
import { ensureBuiltPackage, exampleEnv } from "../helpers/built-package.ts";

const { skip, f16 } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP Node webgpu tests: ${skip}`);
const maybe = skip === undefined ? describe : describe.skip;

maybe("Node, webgpu (Dawn on SwiftShader)", () => {
  for (const [name, scenario] of Object.entries(heapScenarios)) {
    it(`heap ${name}`, async () => {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 4 })}`);
    });
  }
  for (const [name, scenario] of Object.entries(opScenarios)) {
    it(`ops ${name}`, async () => {
      console.log(`  ${name}: ${await scenario({ backend: "webgpu", worldSize: 4 })}`);
    });
  }
  it("host_all_reduce_: bit-exact and identical on every rank", async () => {
    console.log(`  ${await runHostScenario(4)}`);
  }, 180_000);

  // SwiftShader has no shader-f16: then float16 is left out of the matrix and its error checked.
  const dtypes = f16 ? undefined : (["float32", "bfloat16", "int32"] as const);
  for (const worldSize of [2, 3, 4, 8]) {
    // Node's window of the small matrix; Deno (lavapipe) and Chromium (SwiftShader, like Dawn here) sample others.
    it(`collective matrix, ${worldSize} ranks, Node's sample window, bit-exact with the cpu reference`, async () => {
      const report = await runCollectiveMatrix({
        backend: "webgpu", worldSizes: [worldSize], ...SAMPLE_WINDOWS.nodeDawn, largeCases: worldSize === 4 ? 2 : 1,
        dtypes: dtypes === undefined ? undefined : [...dtypes],
      });
      console.log(`  ${report.summary}`);
    }, 300_000);
  }

  it.skipIf(f16)("float16 without shader-f16 fails with a clear error", async () => {
    const run = runCollectiveMatrix({
      backend: "webgpu", worldSizes: [2], smallFraction: 1, largeCases: 0, dtypes: ["float16"], ops: ["one_shot_all_reduce"],
    });
    await expect(run).rejects.toThrow(/float16 needs the WebGPU feature "shader-f16", which this device .* does not have/);
  });

  it("examples/node/allreduce.mjs webgpu (plain node, the built package) prints the adapters and verified", () => {
    ensureBuiltPackage();
    const r = spawnSync(process.execPath, ["examples/node/allreduce.mjs", "webgpu"], { encoding: "utf8", timeout: 120_000, env: exampleEnv() });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^rank 0: .+\nrank 1: /);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("verified");
    expect(r.status).toBe(0);
  }, 150_000);

  it("measures the bounce buffer: a 16 MiB upload from the heap against one from a plain array", async () => {
    const world = await launch({
      worldSize: 1, heapBytes: 17 << 20, backend: "webgpu", rankModule: new URL("./guard-ranks.ts", import.meta.url),
    });
    try {
      const [r] = await world.run<{ heapMs: number; plainMs: number }>("bounceCost", 16 << 20);
      console.log(`  16 MiB upload: ${r.heapMs.toFixed(2)} ms from the heap (bounced), ${r.plainMs.toFixed(2)} ms from a plain array`);
      expect(r.heapMs).toBeGreaterThan(0);
    } finally {
      await world.close();
    }
  });

  it("refuses a SharedArrayBuffer view at Dawn's writeBuffer with an OpError, instead of crashing", async () => {
    const world = await launch({
      worldSize: 1, heapBytes: 1 << 20, backend: "webgpu", rankModule: new URL("./guard-ranks.ts", import.meta.url),
    });
    try {
      const [r] = await world.run<{ shared: string; plain: string }>("writeShared");
      expect(r.shared).toMatch(/^OpError: writeBuffer: a SharedArrayBuffer view must not reach Dawn/);
      expect(r.plain).toBe("ok");
    } finally {
      await world.close();
    }
  });
});
