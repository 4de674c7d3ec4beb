// The fake GPUDevice itself: each WebGPU validation rule it models throws at the offending call,
// and correct use moves real bytes (writeBuffer → copy → map, dispatches through an emulator)
// and is recorded.
import { describe, expect, it } from "vitest";
import { createFakeDevice, DEFAULT_LIMITS, FakeGPUValidationError, type FakeDeviceOptions, type FakeDispatch } from "./fake-gpu.ts";
import { BUFFER_USAGE, MAP_MODE, SHADER_STAGE, installWebGPUGlobals, usageNames } from "./webgpu-globals.ts";

installWebGPUGlobals();

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** `f` throws a FakeGPUValidationError for `rule`, whose message matches `message` when given. */
function throwsRule(f: () => unknown, rule: string, message?: RegExp): void {
  const e = errorOf(f);
  expect(e, `expected rule ${rule}, got ${String(e)}`).toBeInstanceOf(FakeGPUValidationError);
  expect((e as FakeGPUValidationError).rule).toBe(rule);
  expect((e as Error).message).toContain(`[WebGPU rule: ${rule}]`);
  if (message !== undefined) expect((e as Error).message).toMatch(message);
}

async function rejectsRule(p: Promise<unknown>, rule: string, message?: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e, `expected a rejection for rule ${rule}`).toBeInstanceOf(FakeGPUValidationError);
  expect((e as FakeGPUValidationError).rule).toBe(rule);
  if (message !== undefined) expect((e as Error).message).toMatch(message);
}

const S = GPUBufferUsage.STORAGE;
const CS = GPUBufferUsage.COPY_SRC;
const CD = GPUBufferUsage.COPY_DST;

const WGSL = `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: vec4<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < params.x) { dst[gid.x] = src[gid.x] * 2.0; }
}
`;

/** dst[i] = src[i] * 2 for i < params[0]: the emulator of WGSL above. */
function doubler(d: FakeDispatch): void {
  const src = d.f32(0);
  const dst = d.f32(1);
  const n = d.u32(2)[0];
  for (let i = 0; i < n && i < d.x * 64; i++) dst[i] = src[i] * 2;
}

/** A device with the three-binding layout of WGSL (uniform binding 2 dynamic), and a pipeline. */
function doublerRig(opts: FakeDeviceOptions = {}) {
  const { device, gpu } = createFakeDevice({ kernels: { double: doubler }, ...opts });
  const bgl = device.createBindGroupLayout({
    label: "double",
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage" } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
      { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } },
    ],
  });
  const layout = device.createPipelineLayout({ label: "double", bindGroupLayouts: [bgl] });
  const module = device.createShaderModule({ label: "double", code: WGSL });
  const pipeline = device.createComputePipeline({ label: "double", layout, compute: { module, entryPoint: "main" } });
  const src = device.createBuffer({ label: "src", size: 1024, usage: S | CD });
  const dst = device.createBuffer({ label: "dst", size: 1024, usage: S | CS });
  const params = device.createBuffer({ label: "params", size: 512, usage: GPUBufferUsage.UNIFORM | CD });
  const group = device.createBindGroup({
    label: "double",
    layout: bgl,
    entries: [
      { binding: 0, resource: { buffer: src, offset: 0, size: 1024 } },
      { binding: 1, resource: { buffer: dst } },
      { binding: 2, resource: { buffer: params, offset: 0, size: 16 } },
    ],
  });
  return { device, gpu, bgl, layout, module, pipeline, src, dst, params, group };
}

describe("installWebGPUGlobals", () => {
  it("defines the spec's flag values once and leaves existing ones alone", () => {
    expect(GPUBufferUsage.MAP_READ).toBe(0x1);
    expect(GPUBufferUsage.MAP_WRITE).toBe(0x2);
    expect(GPUBufferUsage.COPY_SRC).toBe(0x4);
    expect(GPUBufferUsage.COPY_DST).toBe(0x8);
    expect(GPUBufferUsage.UNIFORM).toBe(0x40);
    expect(GPUBufferUsage.STORAGE).toBe(0x80);
    expect(GPUBufferUsage.QUERY_RESOLVE).toBe(0x200);
    expect(GPUMapMode.READ).toBe(1);
    expect(GPUMapMode.WRITE).toBe(2);
    expect([GPUShaderStage.VERTEX, GPUShaderStage.FRAGMENT, GPUShaderStage.COMPUTE]).toEqual([1, 2, 4]);
    expect(GPUBufferUsage).toBe(BUFFER_USAGE);
    expect(GPUMapMode).toBe(MAP_MODE);
    expect(GPUShaderStage).toBe(SHADER_STAGE);
    expect(installWebGPUGlobals()).toEqual([]);
    expect(GPUBufferUsage).toBe(BUFFER_USAGE);
    expect(Object.isFrozen(GPUBufferUsage)).toBe(true);
  });

  it("installs a missing namespace and keeps one a runtime already has", () => {
    const g = globalThis as Record<string, unknown>;
    const saved = g.GPUMapMode;
    const own = { READ: 1, WRITE: 2 };
    try {
      delete g.GPUMapMode;
      expect(installWebGPUGlobals()).toEqual(["GPUMapMode"]);
      expect(g.GPUMapMode).toBe(MAP_MODE);
      Object.defineProperty(globalThis, "GPUMapMode", { value: own, configurable: true, writable: true });
      expect(installWebGPUGlobals()).toEqual([]);
      expect(g.GPUMapMode).toBe(own);
    } finally {
      Object.defineProperty(globalThis, "GPUMapMode", { value: saved, configurable: true, writable: true });
    }
  });

  it("names usage bits for messages", () => {
    expect(usageNames(GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST)).toBe("MAP_READ|COPY_DST");
    expect(usageNames(0)).toBe("0 (none)");
    expect(usageNames(0x1000 | S)).toBe("STORAGE|0x1000");
  });
});

describe("device", () => {
  it("has WebGPU's default limits, overridable, and refuses unknown ones", () => {
    const { device } = createFakeDevice();
    expect(device.limits.maxBufferSize).toBe(268435456);
    expect(device.limits.maxStorageBufferBindingSize).toBe(134217728);
    expect(device.limits.maxUniformBufferBindingSize).toBe(65536);
    expect(device.limits.minStorageBufferOffsetAlignment).toBe(256);
    expect(device.limits.minUniformBufferOffsetAlignment).toBe(256);
    expect(device.limits.maxComputeWorkgroupsPerDimension).toBe(65535);
    expect(device.limits.maxComputeInvocationsPerWorkgroup).toBe(256);
    expect(device.limits.maxBindGroups).toBe(4);
    const small = createFakeDevice({ limits: { maxStorageBufferBindingSize: 1024 } }).device;
    expect(small.limits.maxStorageBufferBindingSize).toBe(1024);
    expect(small.limits.maxBufferSize).toBe(DEFAULT_LIMITS.maxBufferSize);
    expect(() => createFakeDevice({ limits: { maxStorageBufferSize: 1 } as never })).toThrow(/unknown limit "maxStorageBufferSize"/);
    expect(() => createFakeDevice({ limits: { minStorageBufferOffsetAlignment: 100 } })).toThrow(/power of two/);
  });

  it("has features, adapterInfo, error scopes and onSubmittedWorkDone", async () => {
    const { device } = createFakeDevice({ features: ["shader-f16"], adapterInfo: { description: "test GPU" } });
    expect(device.features.has("shader-f16")).toBe(true);
    expect(device.features.has("subgroups")).toBe(false);
    expect([...device.features]).toEqual(["shader-f16"]);
    const info = (device as unknown as { adapterInfo: GPUAdapterInfo }).adapterInfo;
    expect(info.description).toBe("test GPU");
    expect(info.vendor).toBe("webshmem");
    device.pushErrorScope("validation");
    device.pushErrorScope("out-of-memory");
    expect(await device.popErrorScope()).toBeNull();
    expect(await device.popErrorScope()).toBeNull();
    await expect(device.popErrorScope()).rejects.toThrow(/error scope stack is empty/);
    expect(() => device.pushErrorScope("bogus" as GPUErrorFilter)).toThrow(TypeError);
    await expect(device.queue.onSubmittedWorkDone()).resolves.toBeUndefined();
  });

  it("destroy() destroys every buffer, resolves lost with reason destroyed, and later use fails", async () => {
    const { device, gpu } = createFakeDevice();
    const a = device.createBuffer({ size: 16, usage: CD });
    const m = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    const pending = m.mapAsync(GPUMapMode.READ);
    device.destroy();
    await expect(pending).rejects.toThrow(/before mapAsync resolved/);
    const info = await device.lost;
    expect(info.reason).toBe("destroyed");
    expect(gpu.live()).toEqual([]);
    expect(gpu.record(a).destroyed).toBe(true);
    throwsRule(() => device.createBuffer({ size: 4, usage: CD }), "device.lost", /destroyed/);
    throwsRule(() => device.createCommandEncoder(), "device.lost");
    throwsRule(() => device.queue.submit([]), "device.lost");
    a.destroy(); // destroying again is harmless
    device.destroy();
  });

  it("loseDevice() resolves lost with reason unknown", async () => {
    const { device, gpu } = createFakeDevice();
    gpu.loseDevice("driver crashed");
    expect(await device.lost).toMatchObject({ reason: "unknown", message: "driver crashed" });
  });
});

describe("createBuffer", () => {
  const { device } = createFakeDevice({ limits: { maxBufferSize: 1 << 16 } });
  it.each([
    ["MAP_READ|STORAGE", { size: 16, usage: GPUBufferUsage.MAP_READ | S }, "createBuffer.map-read-usage", /MAP_READ may only be combined with COPY_DST, found MAP_READ\|STORAGE/],
    ["MAP_READ|COPY_SRC", { size: 16, usage: GPUBufferUsage.MAP_READ | CD | CS }, "createBuffer.map-read-usage", /MAP_READ/],
    ["MAP_WRITE|COPY_DST", { size: 16, usage: GPUBufferUsage.MAP_WRITE | CD }, "createBuffer.map-write-usage", /MAP_WRITE may only be combined with COPY_SRC/],
    ["usage 0", { size: 16, usage: 0 }, "createBuffer.usage-zero", /usage must not be 0/],
    ["unknown usage bits", { size: 16, usage: 0x4000 }, "createBuffer.usage-unknown", /0x4000/],
    ["size over maxBufferSize", { size: (1 << 16) + 4, usage: S }, "createBuffer.max-size", /exceeds maxBufferSize 65536/],
    ["mappedAtCreation with size 6", { size: 6, usage: S, mappedAtCreation: true }, "createBuffer.mapped-at-creation-size", /multiple of 4, found 6/],
    ["fractional size", { size: 10.5, usage: S }, "webidl.integer", /size must be a non-negative integer/],
  ] as [string, GPUBufferDescriptor, string, RegExp][])("refuses %s", (_name, d, rule, message) => {
    throwsRule(() => device.createBuffer(d), rule, message);
  });

  it("accepts MAP_READ|COPY_DST, MAP_WRITE|COPY_SRC, size 0 and exactly maxBufferSize", () => {
    const r = device.createBuffer({ label: "r", size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    expect(r.size).toBe(16);
    expect(r.usage).toBe(GPUBufferUsage.MAP_READ | CD);
    expect(r.label).toBe("r");
    expect(r.mapState).toBe("unmapped");
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_WRITE | CS });
    device.createBuffer({ size: 0, usage: S });
    device.createBuffer({ size: 1 << 16, usage: S });
  });
});

describe("mapping", () => {
  it("mapAsync rejects on a buffer without MAP_READ / MAP_WRITE, and for a wrong mode", async () => {
    const { device } = createFakeDevice();
    const s = device.createBuffer({ label: "storage", size: 16, usage: S | CS });
    await rejectsRule(s.mapAsync(GPUMapMode.READ), "mapAsync.usage", /needs usage MAP_READ, the buffer has COPY_SRC\|STORAGE/);
    const r = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    await rejectsRule(r.mapAsync(GPUMapMode.WRITE), "mapAsync.usage", /MAP_WRITE/);
    await rejectsRule(r.mapAsync(GPUMapMode.READ | GPUMapMode.WRITE), "mapAsync.mode");
    await rejectsRule(r.mapAsync(GPUMapMode.READ, 4), "mapAsync.offset-alignment", /offset 4 is not a multiple of 8/);
    await rejectsRule(r.mapAsync(GPUMapMode.READ, 0, 6), "mapAsync.size-alignment");
    await rejectsRule(r.mapAsync(GPUMapMode.READ, 8, 16), "mapAsync.bounds");
    expect(r.mapState).toBe("unmapped");
  });

  it("getMappedRange fails before mapAsync and while it is pending; mapAsync resolves later, not synchronously", async () => {
    const { device } = createFakeDevice();
    const r = device.createBuffer({ label: "r", size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    throwsRule(() => r.getMappedRange(), "getMappedRange.not-mapped", /not mapped \(mapState "unmapped"\)/);
    let resolved = false;
    const p = r.mapAsync(GPUMapMode.READ).then(() => {
      resolved = true;
    });
    expect(r.mapState).toBe("pending");
    throwsRule(() => r.getMappedRange(), "getMappedRange.not-mapped", /await mapAsync first/);
    await rejectsRule(r.mapAsync(GPUMapMode.READ), "mapAsync.pending");
    await Promise.resolve();
    expect(resolved).toBe(false);
    await p;
    expect(r.mapState).toBe("mapped");
    await rejectsRule(r.mapAsync(GPUMapMode.READ), "mapAsync.already-mapped");
    throwsRule(() => r.getMappedRange(4), "getMappedRange.offset-alignment");
    throwsRule(() => r.getMappedRange(0, 6), "getMappedRange.size-alignment");
    throwsRule(() => r.getMappedRange(8, 16), "getMappedRange.bounds");
    r.getMappedRange(0, 8);
    throwsRule(() => r.getMappedRange(0, 4), "getMappedRange.overlap");
    r.getMappedRange(8, 8);
    r.unmap();
  });

  it("detaches the mapped range at unmap, so a kept view cannot alias later contents", async () => {
    const { device } = createFakeDevice();
    const r = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    await r.mapAsync(GPUMapMode.READ);
    const range = r.getMappedRange();
    const view = new Uint8Array(range);
    expect(view.length).toBe(16);
    r.unmap();
    expect(range.byteLength).toBe(0);
    expect(view.length).toBe(0);
    expect(() => new Uint8Array(range)).toThrow(TypeError);
    expect(r.mapState).toBe("unmapped");
    throwsRule(() => r.getMappedRange(), "getMappedRange.not-mapped");
  });

  it("MAP_WRITE writes back at unmap; a READ mapping's edits are discarded", async () => {
    const { device, gpu } = createFakeDevice();
    const w = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_WRITE | CS });
    await w.mapAsync(GPUMapMode.WRITE, 8, 8);
    // A missing size runs to the buffer's end, as in the spec: from 0 that leaves the mapped range.
    throwsRule(() => w.getMappedRange(), "getMappedRange.bounds", /outside the mapped range \[8, 16\)/);
    new Uint32Array(w.getMappedRange(8)).set([7, 9]);
    expect([...new Uint32Array(gpu.read(w).buffer)]).toEqual([0, 0, 0, 0]);
    w.unmap();
    expect([...new Uint32Array(gpu.read(w).buffer)]).toEqual([0, 0, 7, 9]);
    const r = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    device.queue.writeBuffer(r, 0, new Uint32Array([1, 2, 3, 4]));
    await r.mapAsync(GPUMapMode.READ);
    new Uint32Array(r.getMappedRange()).fill(0);
    r.unmap();
    expect([...new Uint32Array(gpu.read(r).buffer)]).toEqual([1, 2, 3, 4]);
  });

  it("mappedAtCreation maps any buffer (a UNIFORM one too) and writes back at unmap", () => {
    const { device, gpu } = createFakeDevice();
    const u = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    expect(u.mapState).toBe("mapped");
    new Uint32Array(u.getMappedRange()).set([5, 6, 7]);
    u.unmap();
    expect([...new Uint32Array(gpu.read(u).buffer, 0, 3)]).toEqual([5, 6, 7]);
    expect(gpu.record(u).mappedAtCreation).toBe(true);
  });

  it("unmap while mapAsync is pending rejects it with an AbortError", async () => {
    const { device } = createFakeDevice();
    const r = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    const p = r.mapAsync(GPUMapMode.READ);
    r.unmap();
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect((e as DOMException).name).toBe("AbortError");
    expect(r.mapState).toBe("unmapped");
    await r.mapAsync(GPUMapMode.READ); // mappable again
  });
});

describe("writeBuffer", () => {
  const { device, gpu } = createFakeDevice();
  const b = device.createBuffer({ label: "b", size: 64, usage: S | CD | CS });

  it.each([
    ["6 bytes", () => device.queue.writeBuffer(b, 0, new Uint8Array(6)), "writeBuffer.size-alignment", /6 bytes is not a multiple of 4/],
    ["an unaligned offset", () => device.queue.writeBuffer(b, 2, new Uint8Array(4)), "writeBuffer.offset-alignment", /bufferOffset 2/],
    ["past the end", () => device.queue.writeBuffer(b, 60, new Uint8Array(8)), "writeBuffer.bounds", /\[60, 68\)/],
    ["past the data", () => device.queue.writeBuffer(b, 0, new Uint32Array(4), 2, 4), "writeBuffer.data-range", /dataOffset 2 \+ size 4/],
    ["a buffer without COPY_DST", () => device.queue.writeBuffer(device.createBuffer({ size: 16, usage: S }), 0, new Uint8Array(4)), "writeBuffer.usage", /lacks COPY_DST/],
    ["a mapped buffer", () => device.queue.writeBuffer(device.createBuffer({ size: 16, usage: S | CD, mappedAtCreation: true }), 0, new Uint8Array(4)), "buffer.mapped", /mapped/],
    ["not a buffer", () => device.queue.writeBuffer({} as GPUBuffer, 0, new Uint8Array(4)), "object.type", /not a GPUBuffer of the fake/],
    ["a buffer of another device", () => device.queue.writeBuffer(createFakeDevice().device.createBuffer({ size: 4, usage: CD }), 0, new Uint8Array(4)), "object.device", /another device/],
  ] as [string, () => void, string, RegExp][])("refuses %s", (_name, f, rule, message) => {
    throwsRule(f, rule, message);
  });

  it("takes SharedArrayBuffer views, ArrayBuffers and element offsets, copying at the call", () => {
    const sab = new SharedArrayBuffer(32);
    const shared = new Uint8Array(sab, 8, 16);
    shared.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    device.queue.writeBuffer(b, 0, shared as unknown as GPUAllowSharedBufferSource);
    shared.fill(0); // after the call: no effect on the buffer
    expect([...gpu.read(b, 0, 16)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    device.queue.writeBuffer(b, 16, new Uint32Array([10, 20, 30, 40]), 1, 2); // elements, not bytes
    expect([...new Uint32Array(gpu.read(b, 16, 8).buffer)]).toEqual([20, 30]);
    device.queue.writeBuffer(b, 32, new Uint8Array([9, 9, 9, 9]).buffer);
    device.queue.writeBuffer(b, 36, sab, 0, 4);
    expect([...gpu.read(b, 32, 8)]).toEqual([9, 9, 9, 9, 0, 0, 0, 0]);
    const w = gpu.writes.filter((x) => x.buffer === b);
    expect(w.map((x) => [x.offset, x.size, x.shared])).toEqual([[0, 16, true], [16, 8, false], [32, 4, false], [36, 4, true]]);
    expect([...w[0].bytes]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it("refuses a destroyed buffer", () => {
    const d = device.createBuffer({ size: 16, usage: CD });
    d.destroy();
    throwsRule(() => device.queue.writeBuffer(d, 0, new Uint8Array(4)), "buffer.destroyed");
  });
});

describe("copyBufferToBuffer and submit", () => {
  function rig() {
    const { device, gpu } = createFakeDevice();
    const a = device.createBuffer({ label: "a", size: 64, usage: CS | CD });
    const b = device.createBuffer({ label: "b", size: 64, usage: CS | CD });
    return { device, gpu, a, b, enc: device.createCommandEncoder({ label: "enc" }) };
  }

  it.each([
    ["an unaligned size", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 0, r.b, 0, 6), "copy.size-alignment", /size 6/],
    ["an unaligned source offset", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 2, r.b, 0, 4), "copy.offset-alignment", /sourceOffset 2/],
    ["an unaligned destination offset", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 0, r.b, 6, 4), "copy.offset-alignment", /destinationOffset 6/],
    ["a source range past the end", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 32, r.b, 0, 40), "copy.bounds-src", /\[32, 72\)/],
    ["a destination range past the end", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 0, r.b, 32, 40), "copy.bounds-dst"],
    ["one buffer as source and destination", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 0, r.a, 32, 16), "copy.same-buffer"],
    ["a source without COPY_SRC", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.device.createBuffer({ size: 16, usage: CD }), 0, r.b, 0, 4), "copy.usage-src", /lacks COPY_SRC/],
    ["a destination without COPY_DST", (r: ReturnType<typeof rig>) => r.enc.copyBufferToBuffer(r.a, 0, r.device.createBuffer({ size: 16, usage: CS }), 0, 4), "copy.usage-dst", /lacks COPY_DST/],
  ] as [string, (r: ReturnType<typeof rig>) => void, string, RegExp?][])("refuses %s", (_name, f, rule, message) => {
    const r = rig();
    throwsRule(() => f(r), rule, message);
  });

  it("copies at submit, in order, with both overloads", () => {
    const { device, gpu, a, b, enc } = rig();
    device.queue.writeBuffer(a, 0, new Uint32Array([1, 2, 3, 4]));
    enc.copyBufferToBuffer(a, 0, b, 16, 16);
    enc.copyBufferToBuffer(b, 16, a, 48, 8);
    expect([...gpu.read(b, 16, 4)]).toEqual([0, 0, 0, 0]); // encoded, not run
    const cb = enc.finish();
    device.queue.submit([cb]);
    expect([...new Uint32Array(gpu.read(b, 16, 16).buffer)]).toEqual([1, 2, 3, 4]);
    expect([...new Uint32Array(gpu.read(a, 48, 8).buffer)]).toEqual([1, 2]);
    const e2 = device.createCommandEncoder();
    e2.copyBufferToBuffer(a, b); // the 3-argument form: whole buffer
    device.queue.submit([e2.finish()]);
    expect(gpu.read(b)).toEqual(gpu.read(a));
    expect(gpu.copies.map((c) => [c.submit, c.srcLabel, c.srcOffset, c.dstLabel, c.dstOffset, c.size]))
      .toEqual([[0, "a", 0, "b", 16, 16], [0, "b", 16, "a", 48, 8], [1, "a", 0, "b", 0, 64]]);
    expect(gpu.submits.map((s) => [s.index, s.commandBuffers, s.commands, s.labels])).toEqual([[0, 1, 2, ["enc"]], [1, 1, 1, [""]]]);
    throwsRule(() => device.queue.submit([cb]), "submit.resubmitted");
  });

  it("a buffer mapped or destroyed at submit fails the whole submit", async () => {
    const { device, gpu, a, b } = rig();
    const staging = device.createBuffer({ label: "staging", size: 64, usage: GPUBufferUsage.MAP_READ | CD });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(a, 0, b, 0, 4);
    enc.copyBufferToBuffer(a, 0, staging, 0, 64);
    const mapping = staging.mapAsync(GPUMapMode.READ);
    const cb = enc.finish();
    throwsRule(() => device.queue.submit([cb]), "submit.buffer-mapped", /"staging".*being mapped \(mapAsync pending\)/);
    await mapping;
    throwsRule(() => device.queue.submit([cb]), "submit.buffer-mapped", /which is mapped/);
    staging.unmap();
    staging.destroy();
    throwsRule(() => device.queue.submit([cb]), "submit.buffer-destroyed", /"staging".*destroyed/);
    expect(gpu.copies).toEqual([]); // nothing ran
    expect(gpu.submits).toEqual([]);
  });

  it("use after destroy fails at the call", async () => {
    const { device, a, b } = rig();
    const r = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | CD });
    a.destroy();
    r.destroy();
    throwsRule(() => device.createCommandEncoder().copyBufferToBuffer(a, 0, b, 0, 4), "buffer.destroyed", /"a".*destroyed/);
    throwsRule(() => device.queue.writeBuffer(a, 0, new Uint8Array(4)), "buffer.destroyed");
    await rejectsRule(r.mapAsync(GPUMapMode.READ), "buffer.destroyed");
    throwsRule(() => r.getMappedRange(), "buffer.destroyed");
    expect(a.mapState).toBe("unmapped");
  });

  it("an encoder is locked while a pass is open and dead after finish", () => {
    const { device, a, b, enc } = rig();
    const pass = enc.beginComputePass({ label: "p" });
    throwsRule(() => enc.copyBufferToBuffer(a, 0, b, 0, 4), "encoder.locked", /pass "p" is still open/);
    throwsRule(() => enc.finish(), "encoder.locked");
    pass.end();
    throwsRule(() => pass.end(), "pass.ended");
    enc.finish();
    throwsRule(() => enc.copyBufferToBuffer(a, 0, b, 0, 4), "encoder.finished");
    throwsRule(() => enc.beginComputePass(), "encoder.finished");
    void device;
  });

  it("clearBuffer zeroes at submit and checks alignment", () => {
    const { device, gpu, a, enc } = rig();
    device.queue.writeBuffer(a, 0, new Uint8Array(64).fill(7));
    throwsRule(() => enc.clearBuffer(a, 2), "clear.alignment");
    enc.clearBuffer(a, 8, 8);
    device.queue.submit([enc.finish()]);
    expect([...gpu.read(a, 4, 16)]).toEqual([7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7]);
    expect(gpu.clears).toHaveLength(1);
  });
});

describe("bind groups", () => {
  const { device } = createFakeDevice({ limits: { maxStorageBufferBindingSize: 1024, maxUniformBufferBindingSize: 256 } });
  const bgl = device.createBindGroupLayout({
    label: "L",
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
    ],
  });
  const store = device.createBuffer({ label: "store", size: 4096, usage: S });
  const uni = device.createBuffer({ label: "uni", size: 1024, usage: GPUBufferUsage.UNIFORM });
  const group = (e0: GPUBufferBinding, e1: GPUBufferBinding = { buffer: uni, size: 64 }) =>
    device.createBindGroup({ label: "G", layout: bgl, entries: [{ binding: 0, resource: e0 }, { binding: 1, resource: e1 }] });

  it.each([
    ["a 255-byte storage offset", { buffer: store, offset: 255, size: 64 }, undefined, "bindGroup.storage-offset-alignment", /offset 255 is not a multiple of minStorageBufferOffsetAlignment 256/],
    ["a storage binding over maxStorageBufferBindingSize", { buffer: store, offset: 0, size: 2048 }, undefined, "bindGroup.max-storage-binding-size", /binding size 2048 exceeds maxStorageBufferBindingSize 1024/],
    ["a default-size storage binding over the limit", { buffer: store }, undefined, "bindGroup.max-storage-binding-size", /4096/],
    ["a storage size not a multiple of 4", { buffer: store, offset: 0, size: 6 }, undefined, "bindGroup.storage-size-alignment"],
    ["a storage range past the buffer", { buffer: store, offset: 3840, size: 512 }, undefined, "bindGroup.bounds", /\[3840, 4352\)/],
    ["a zero-size binding", { buffer: store, offset: 4096 }, undefined, "bindGroup.size-zero"],
    ["a storage binding without STORAGE", { buffer: uni, size: 64 }, undefined, "bindGroup.storage-usage", /needs usage STORAGE, buffer "uni"/],
    ["a uniform binding without UNIFORM", { buffer: store, size: 64 }, { buffer: store, size: 64 }, "bindGroup.uniform-usage"],
    ["an unaligned uniform offset", { buffer: store, size: 64 }, { buffer: uni, offset: 128, size: 64 }, "bindGroup.uniform-offset-alignment", /minUniformBufferOffsetAlignment 256/],
    ["a uniform binding over maxUniformBufferBindingSize", { buffer: store, size: 64 }, { buffer: uni, size: 512 }, "bindGroup.max-uniform-binding-size"],
  ] as [string, GPUBufferBinding, GPUBufferBinding | undefined, string, RegExp?][])("refuses %s", (_name, e0, e1, rule, message) => {
    throwsRule(() => group(e0, e1), rule, message);
  });

  it("refuses entries that do not match the layout", () => {
    throwsRule(() => device.createBindGroup({ layout: bgl, entries: [{ binding: 0, resource: { buffer: store, size: 64 } }] }),
      "bindGroup.missing-binding", /has binding 1/);
    throwsRule(() => device.createBindGroup({ layout: bgl, entries: [{ binding: 5, resource: { buffer: store, size: 64 } }] }),
      "bindGroup.binding-not-in-layout");
    throwsRule(() => device.createBindGroupLayout({ entries: [{ binding: 0, visibility: 4, buffer: {} }, { binding: 0, visibility: 4, buffer: {} }] }),
      "bindGroupLayout.duplicate-binding");
    throwsRule(() => device.createBindGroupLayout({
      entries: [0, 1, 2, 3, 4].map((binding) => ({ binding, visibility: 4, buffer: { type: "storage" as const, hasDynamicOffset: true } })),
    }), "layout.dynamic-storage");
  });

  it("accepts 256-aligned ranges up to the limit, and a GPUBuffer as the resource", () => {
    group({ buffer: store, offset: 256, size: 1024 });
    group({ buffer: store, offset: 3072 });
    const small = device.createBuffer({ size: 512, usage: S | GPUBufferUsage.UNIFORM });
    device.createBindGroup({ layout: bgl, entries: [{ binding: 0, resource: small as unknown as GPUBufferBinding }, { binding: 1, resource: { buffer: small, size: 256 } }] });
  });
});

describe("shader modules and pipelines", () => {
  it("compileErrors makes a module fail: getCompilationInfo reports it, pipelines refuse it", async () => {
    const { device } = createFakeDevice({ compileErrors: (code) => (code.includes("oops") ? [{ message: "unresolved oops", lineNum: 3, linePos: 5 }] : []) });
    const good = device.createShaderModule({ label: "good", code: WGSL });
    expect((await good.getCompilationInfo()).messages).toEqual([]);
    const bad = device.createShaderModule({ label: "bad", code: `${WGSL}\noops` });
    const info = await bad.getCompilationInfo();
    expect(info.messages).toHaveLength(1);
    expect(info.messages[0]).toMatchObject({ type: "error", message: "unresolved oops", lineNum: 3, linePos: 5 });
    await rejectsRule(device.createComputePipelineAsync({ layout: "auto", compute: { module: bad, entryPoint: "main" } }),
      "pipeline.shader-compile", /"bad" does not compile:\n3:5 unresolved oops/);
    throwsRule(() => device.createComputePipeline({ layout: "auto", compute: { module: bad, entryPoint: "main" } }), "pipeline.shader-compile");
  });

  it("enable f16 needs shader-f16; an unfilled template placeholder does not compile", async () => {
    const f16 = "enable f16;\n@compute @workgroup_size(1) fn main() {}";
    const without = createFakeDevice().device.createShaderModule({ code: f16 });
    expect((await without.getCompilationInfo()).messages[0]).toMatchObject({ type: "error", lineNum: 1, message: expect.stringContaining("shader-f16") });
    const withF16 = createFakeDevice({ features: ["shader-f16"] }).device.createShaderModule({ code: f16 });
    expect((await withF16.getCompilationInfo()).messages).toEqual([]);
    const tmpl = createFakeDevice().device.createShaderModule({ code: "@compute @workgroup_size(${WG}) fn main() {}" });
    expect((await tmpl.getCompilationInfo()).messages[0].message).toMatch(/invalid character '\$'/);
  });

  it("checks the entry point, the workgroup size and the shader's bindings against the layout", () => {
    const { device, bgl, module } = doublerRig();
    const layout = device.createPipelineLayout({ bindGroupLayouts: [bgl] });
    throwsRule(() => device.createComputePipeline({ layout, compute: { module, entryPoint: "nope" } }), "pipeline.entry-point", /no @compute entry point "nope" \(found main\)/);
    const big = device.createShaderModule({ code: "@compute @workgroup_size(512) fn main() {}" });
    throwsRule(() => device.createComputePipeline({ layout: "auto", compute: { module: big } }), "pipeline.workgroup-size", /maxComputeWorkgroupSizeX/);
    const many = device.createShaderModule({ code: "@compute @workgroup_size(16, 16, 2) fn main() {}" });
    throwsRule(() => device.createComputePipeline({ layout: "auto", compute: { module: many } }), "pipeline.workgroup-size", /512 invocations/);
    const swapped = device.createShaderModule({ code: WGSL.replace("var<storage, read> src", "var<storage, read_write> src") });
    throwsRule(() => device.createComputePipeline({ layout, compute: { module: swapped, entryPoint: "main" } }), "pipeline.binding-type",
      /@group\(0\) @binding\(0\) var<storage, read_write> src \(storage\), the layout has read-only-storage/);
    const extra = device.createShaderModule({ code: `${WGSL}\n@group(1) @binding(0) var<storage, read_write> more: array<u32>;` });
    throwsRule(() => device.createComputePipeline({ layout, compute: { module: extra, entryPoint: "main" } }), "pipeline.binding-not-in-layout");
    const lenient = createFakeDevice({ checkShaderBindings: false }).device;
    const l2 = lenient.createPipelineLayout({ bindGroupLayouts: [] });
    lenient.createComputePipeline({ layout: l2, compute: { module: lenient.createShaderModule({ code: WGSL }), entryPoint: "main" } });
  });

  it("an auto layout comes from the shader and only matches its own pipeline", () => {
    const { device, src, dst, params } = doublerRig();
    const module = device.createShaderModule({ code: WGSL });
    const p = device.createComputePipeline({ label: "auto", layout: "auto", compute: { module } });
    const bgl = p.getBindGroupLayout(0);
    expect(p.getBindGroupLayout(0)).toBe(bgl);
    throwsRule(() => p.getBindGroupLayout(4), "getBindGroupLayout.index", /maxBindGroups 4/);
    const explicit = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [] }), compute: { module: device.createShaderModule({ code: "@compute @workgroup_size(1) fn main() {}" }) } });
    throwsRule(() => explicit.getBindGroupLayout(0), "getBindGroupLayout.index", /past the pipeline layout's 0/);
    const g = device.createBindGroup({
      layout: bgl,
      entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }, { binding: 2, resource: { buffer: params, size: 16 } }],
    });
    const other = device.createComputePipeline({ label: "other", layout: "auto", compute: { module } });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p);
    pass.setBindGroup(0, g);
    pass.dispatchWorkgroups(1);
    pass.setPipeline(other);
    throwsRule(() => pass.dispatchWorkgroups(1), "dispatch.bind-group-layout");
  });
});

describe("compute passes", () => {
  it("refuses a dispatch over maxComputeWorkgroupsPerDimension, in any dimension", () => {
    const { device, pipeline, group } = doublerRig({ limits: { maxComputeWorkgroupsPerDimension: 4 } });
    const pass = device.createCommandEncoder().beginComputePass({ label: "p" });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [0]);
    pass.dispatchWorkgroups(4, 4, 4);
    throwsRule(() => pass.dispatchWorkgroups(5), "dispatch.workgroups-per-dimension", /workgroupCountX 5 exceeds maxComputeWorkgroupsPerDimension 4/);
    throwsRule(() => pass.dispatchWorkgroups(1, 5), "dispatch.workgroups-per-dimension", /workgroupCountY 5/);
    throwsRule(() => pass.dispatchWorkgroups(1, 1, 70000), "dispatch.workgroups-per-dimension");
    throwsRule(() => pass.dispatchWorkgroups(1.5), "webidl.integer");
  });

  it("needs a pipeline and its bind groups, with the right dynamic offsets", () => {
    const { device, pipeline, group } = doublerRig();
    const pass = device.createCommandEncoder().beginComputePass();
    throwsRule(() => pass.dispatchWorkgroups(1), "dispatch.no-pipeline");
    pass.setPipeline(pipeline);
    throwsRule(() => pass.dispatchWorkgroups(1), "dispatch.bind-group-missing", /index 0/);
    throwsRule(() => pass.setBindGroup(0, group), "setBindGroup.dynamic-offset-count", /1 entries with hasDynamicOffset, 0 dynamic offsets/);
    throwsRule(() => pass.setBindGroup(0, group, [0, 256]), "setBindGroup.dynamic-offset-count");
    throwsRule(() => pass.setBindGroup(0, group, [128]), "setBindGroup.dynamic-offset-alignment", /dynamic offset 128 of binding 2 \(uniform\).*minUniformBufferOffsetAlignment 256/);
    throwsRule(() => pass.setBindGroup(0, group, [512]), "setBindGroup.dynamic-offset-bounds", /past the end of buffer "params"/);
    throwsRule(() => pass.setBindGroup(4, group, [0]), "setBindGroup.index");
    pass.setBindGroup(0, group, new Uint32Array([9, 256, 9]), 1, 1);
    pass.dispatchWorkgroups(1);
  });

  it("refuses one buffer bound as writable storage and read-only in one dispatch", () => {
    const { device, bgl, pipeline, src, params } = doublerRig();
    const g = device.createBindGroup({
      layout: bgl,
      entries: [
        { binding: 0, resource: { buffer: src, offset: 0, size: 256 } },
        { binding: 1, resource: { buffer: src, offset: 512, size: 256 } },
        { binding: 2, resource: { buffer: params, size: 16 } },
      ],
    });
    const pass = device.createCommandEncoder().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, g, [0]);
    throwsRule(() => pass.dispatchWorkgroups(1), "dispatch.writable-aliasing", /buffer "src".*writable storage.*read-only-storage/);
  });

  it("refuses a bind group whose layout differs from the pipeline's", () => {
    const { device, pipeline, src, dst, params } = doublerRig();
    const otherLayout = device.createBindGroupLayout({
      label: "other",
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage" } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
      ],
    });
    const g = device.createBindGroup({
      layout: otherLayout,
      entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }, { binding: 2, resource: { buffer: params, size: 16 } }],
    });
    const pass = device.createCommandEncoder().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, g);
    throwsRule(() => pass.dispatchWorkgroups(1), "dispatch.bind-group-layout", /"other"/);
  });
});

describe("dispatch emulation", () => {
  it("runs the emulator at submit over the bound ranges, dynamic offsets applied", async () => {
    const { device, gpu, pipeline, group, src, dst, params } = doublerRig();
    device.queue.writeBuffer(src, 0, new Float32Array([1, 2, 3, 4, 5]));
    device.queue.writeBuffer(params, 256, new Uint32Array([3, 0, 0, 0])); // the second slot: n = 3
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass({ label: "double pass" });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [256]);
    pass.dispatchWorkgroups(1);
    pass.end();
    const staging = device.createBuffer({ size: 32, usage: GPUBufferUsage.MAP_READ | CD });
    enc.copyBufferToBuffer(dst, 0, staging, 0, 32);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    expect([...new Float32Array(staging.getMappedRange())]).toEqual([2, 4, 6, 0, 0, 0, 0, 0]);
    staging.unmap();
    expect(gpu.dispatches).toHaveLength(1);
    const d = gpu.dispatches[0];
    expect(d).toMatchObject({ submit: 0, passLabel: "double pass", pipelineLabel: "double", entryPoint: "main", x: 1, y: 1, z: 1, emulated: true, workgroupSize: [64, 1, 1] });
    expect(d.code).toBe(WGSL);
    expect(d.bindings.map((b) => [b.binding, b.type, b.label, b.offset, b.size]))
      .toEqual([[0, "read-only-storage", "src", 0, 1024], [1, "storage", "dst", 0, 1024], [2, "uniform", "params", 256, 16]]);
  });

  it("an emulator may not write to a read-only binding; requireKernels refuses unemulated dispatches", () => {
    const evil = doublerRig({ kernels: { double: (d) => d.f32(0).fill(1) } });
    const enc = evil.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(evil.pipeline);
    pass.setBindGroup(0, evil.group, [0]);
    pass.dispatchWorkgroups(1);
    pass.end();
    expect(() => evil.device.queue.submit([enc.finish()])).toThrow(/wrote to @group\(0\) @binding\(0\), a read-only-storage binding/);

    const strict = doublerRig({ kernels: () => undefined, requireKernels: true });
    const e2 = strict.device.createCommandEncoder();
    const p2 = e2.beginComputePass();
    p2.setPipeline(strict.pipeline);
    p2.setBindGroup(0, strict.group, [0]);
    p2.dispatchWorkgroups(1);
    p2.end();
    throwsRule(() => strict.device.queue.submit([e2.finish()]), "fake.no-kernel", /"double"/);
  });

  it("without an emulator a dispatch is only recorded; the resolver sees label and code", () => {
    const seen: [string, string][] = [];
    const { device, gpu, pipeline, group, dst } = doublerRig({ kernels: (label, code) => { seen.push([label, code]); return undefined; } });
    expect(seen).toEqual([["double", WGSL]]);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [0]);
    pass.dispatchWorkgroups(3, 2);
    pass.end();
    device.queue.submit([enc.finish()]);
    expect(gpu.dispatches[0]).toMatchObject({ x: 3, y: 2, z: 1, emulated: false });
    expect(gpu.read(dst).every((b) => b === 0)).toBe(true);
  });
});

describe("recorder", () => {
  it("round-trips a SharedArrayBuffer through writeBuffer → copy → mapAsync and records every step", async () => {
    const { device, gpu } = createFakeDevice();
    const heap = new SharedArrayBuffer(1024);
    const view = new Uint8Array(heap, 256, 64);
    for (let i = 0; i < 64; i++) view[i] = (i * 37 + 11) & 0xff;
    const expected = view.slice();
    const gpuBuf = device.createBuffer({ label: "tensor", size: 64, usage: S | CS | CD });
    const staging = device.createBuffer({ label: "staging", size: 64, usage: GPUBufferUsage.MAP_READ | CD });
    device.queue.writeBuffer(gpuBuf, 0, view as unknown as GPUAllowSharedBufferSource);
    const enc = device.createCommandEncoder({ label: "readback" });
    enc.copyBufferToBuffer(gpuBuf, 0, staging, 0, 64);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, 64);
    const got = new Uint8Array(staging.getMappedRange(0, 64)).slice();
    staging.unmap();
    expect(got).toEqual(expected);

    expect(gpu.buffers.map((b) => [b.id, b.label, b.size, b.usageNames, b.destroyed])).toEqual([
      [1, "tensor", 64, "COPY_SRC|COPY_DST|STORAGE", false],
      [2, "staging", 64, "MAP_READ|COPY_DST", false],
    ]);
    expect(gpu.writes.map((w) => [w.label, w.offset, w.size, w.shared])).toEqual([["tensor", 0, 64, true]]);
    expect(gpu.copies.map((c) => [c.srcLabel, c.dstLabel, c.size])).toEqual([["tensor", "staging", 64]]);
    expect(gpu.maps).toEqual([{ buffer: staging, label: "staging", mode: "read", offset: 0, size: 64 }]);
    expect(gpu.submits).toEqual([{ index: 0, commandBuffers: 1, commands: 1, labels: ["readback"] }]);
    expect(gpu.counts).toMatchObject({
      buffersCreated: 2, buffersLive: 2, bytesLive: 128, writes: 1, bytesWritten: 64, copies: 1, bytesCopied: 64,
      dispatches: 0, maps: 1, submits: 1, commandEncoders: 1,
    });
    staging.destroy();
    expect(gpu.live().map((b) => b.label)).toEqual(["tensor"]);
    expect(gpu.record(staging)).toMatchObject({ label: "staging", destroyed: true, mapState: "unmapped" });
    gpu.clear();
    expect(gpu.counts).toMatchObject({ buffersCreated: 2, buffersLive: 1, writes: 0, copies: 0, maps: 0, submits: 0 });
  });

  it("records bind groups, pipelines and shader modules", () => {
    const { gpu } = doublerRig();
    expect(gpu.shaderModules.map((m) => [m.label, m.errors])).toEqual([["double", []]]);
    expect(gpu.pipelines).toEqual([{ label: "double", code: WGSL, entryPoint: "main", layout: "double", async: false, workgroupSize: [64, 1, 1] }]);
    expect(gpu.bindGroups.map((g) => [g.label, g.layoutLabel, g.entries.map((e) => [e.binding, e.type, e.label, e.offset, e.size])])).toEqual([
      ["double", "double", [[0, "read-only-storage", "src", 0, 1024], [1, "storage", "dst", 0, 1024], [2, "uniform", "params", 0, 16]]],
    ]);
    expect(gpu.counts).toMatchObject({ pipelines: 1, shaderModules: 1, bindGroups: 1, buffersCreated: 3 });
  });
});
