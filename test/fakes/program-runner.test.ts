/**
 * The program runner on the fake device, with a program of its own (not the reduction): a
 * scale-and-add kernel `dst[i] = src[i] * k + i` emulated in JS. Compilation, feature checks,
 * binding and uniform validation, one uniform slot per call, and 2-D folding.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import type { GpuProgram, ProgramCall } from "../../src/backends/webgpu/program.ts";
import { ProgramRunner } from "../../src/backends/webgpu/program-runner.ts";
import { createFakeDevice, type FakeDispatch } from "./fake-gpu.ts";
import { installWebGPUGlobals } from "./webgpu-globals.ts";

beforeAll(() => {
  installWebGPUGlobals();
});

const WGSL = `
struct Params { n: u32, k: u32, row_pitch: u32 }
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.n) { return; }
  dst[i] = src[i] * params.k + i;
}`;

const program = (features = {}): GpuProgram => ({
  key: "test/scale-add", source: () => WGSL, storage: ["read", "read_write"], paramsWords: 3, workgroupSize: 64, features,
});

/** The kernel in JS, over every invocation of the folded dispatch (uniforms at the dynamic offset). */
function emulate(d: FakeDispatch): void {
  const src = d.u32(0);
  const dst = d.u32(1);
  const [n, k, rowPitch] = d.u32(2);
  for (let y = 0; y < d.y; y++) {
    for (let gx = 0; gx < d.x * 64; gx++) {
      const i = gx + y * rowPitch;
      if (i < n) dst[i] = (src[i] * k + i) >>> 0;
    }
  }
}

function setup(opts: Parameters<typeof createFakeDevice>[0] = {}) {
  const { device, gpu } = createFakeDevice({ kernels: () => emulate, requireKernels: true, ...opts });
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const n = 10_000;
  const src = device.createBuffer({ size: n * 4, usage: storage });
  const dst = device.createBuffer({ size: n * 4, usage: storage });
  device.queue.writeBuffer(src, 0, Uint32Array.from({ length: n }, (_, i) => i * 3));
  const call = (k: number, p = program()): ProgramCall => ({
    program: p, bindings: [{ buffer: src, size: n * 4 }, { buffer: dst, size: n * 4 }], invocations: n,
    params: (fold) => [n, k, fold.rowPitch],
  });
  return { device, gpu, src, dst, n, call, runner: new ProgramRunner(device) };
}

describe("ProgramRunner on the fake device", () => {
  it("compiles, binds, writes uniforms and dispatches; the result is the kernel's", async () => {
    const { device, gpu, dst, n, call, runner } = setup();
    await runner.prepare([program()]);
    const enc = device.createCommandEncoder();
    const encoded = runner.encode(enc, [call(2), call(5)], { label: "two calls" });
    device.queue.submit([enc.finish()]);
    encoded.release();
    expect(encoded.dispatches).toBe(2);
    expect(gpu.dispatches.map((d) => [d.x, d.y])).toEqual([[157, 1], [157, 1]]);
    // one uniform slot per call: dynamic offsets 0 and 256
    expect(gpu.dispatches.map((d) => d.bindings.find((b) => b.binding === 2)?.offset)).toEqual([0, 256]);
    const bytes = await gpu.read(dst);
    const out = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i += 997) expect(out[i]).toBe(i * 3 * 5 + i);
    expect(gpu.live().filter((b) => b.label.includes("params"))).toEqual([]);
  });

  it("folds a dispatch past maxComputeWorkgroupsPerDimension into 2-D, and the kernel still covers every element", async () => {
    const { device, gpu, dst, n, call, runner } = setup({ limits: { maxComputeWorkgroupsPerDimension: 16 } });
    await runner.prepare([program()]);
    const enc = device.createCommandEncoder();
    const encoded = runner.encode(enc, [call(7)]);
    device.queue.submit([enc.finish()]);
    expect(encoded.folds[0]).toEqual({ x: 16, y: 10, rowPitch: 1024 });
    expect(gpu.dispatches[0].y).toBe(10);
    const bytes = await gpu.read(dst);
    const out = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) if (out[i] !== i * 21 + i) throw new Error(`element ${i}: ${out[i]}`);
  });

  it("refuses a program whose device feature is missing, naming what needs it", async () => {
    const { runner } = setup();
    await expect(runner.prepare([program({ "shader-f16": "float16" })])).rejects.toThrow(
      /^float16 needs the WebGPU feature "shader-f16", which this device .*does not have$/,
    );
  });

  it("turns a compile error into an OpError with the compiler's messages", async () => {
    const { runner } = setup({ compileErrors: () => [{ message: "unknown identifier 'foo'", lineNum: 3, linePos: 7 }] });
    const e = await runner.prepare([program()]).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(OpError);
    expect((e as Error).message).toMatch(/WGSL kernel test\/scale-add does not compile:\n3:7 unknown identifier 'foo'/);
  });

  it("checks the call against the program: binding count and uniform words", async () => {
    const { device, call, runner } = setup();
    await runner.prepare([program()]);
    const c = call(1);
    expect(() => runner.encode(device.createCommandEncoder(), [{ ...c, bindings: c.bindings.slice(0, 1) }])).toThrow(
      /expected 2 storage bindings, found 1/,
    );
    expect(() => runner.encode(device.createCommandEncoder(), [{ ...c, params: () => [1, 2] }])).toThrow(
      /expected 3 parameter words, found 2/,
    );
  });

  it("encodes nothing for zero invocations", () => {
    const { device, gpu, call, runner } = setup();
    const encoded = runner.encode(device.createCommandEncoder(), [{ ...call(1), invocations: 0 }]);
    expect(encoded.dispatches).toBe(0);
    expect(gpu.buffers.filter((b) => b.label.includes("params"))).toEqual([]);
  });
});
