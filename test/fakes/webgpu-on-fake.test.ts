// The library's real WebGPU code (the reducer, its chunking under the binding limit, the program
// runner's dispatch folding, the staging ring, and the shared WGSL scenarios the Deno and
// Chromium suites run on real devices) on the fake GPUDevice, with the reduce shader emulated in
// JS from shaders/reduce.wgsl. The fake throws at any call WebGPU validation would refuse.
//
// Every import from src/ is in this block, so the paths are easy to update when files move.
import { referenceReduce, combiner, finisher, widen, narrow } from "../../src/core/reduce-math.ts";
import { COLLECTIVE_DTYPES, REDUCE_OPS, type CollectiveDType, type ReduceOp } from "../../src/core/reduce-op.ts";
import type { HeapRegion, ReduceJob } from "../../src/core/reducer.ts";
import { OpError } from "../../src/core/errors.ts";
import { GpuReducer } from "../../src/backends/webgpu/gpu-reducer.ts";
import { GpuTensor } from "../../src/backends/webgpu/gpu-tensor.ts";
import { readBack } from "../../src/backends/webgpu/gpu-buffers.ts";
import { encodeReduce, srcStrideFor } from "../../src/backends/webgpu/reduce-program.ts";
import { reduceShaderSource } from "../../src/backends/webgpu/wgsl/reduce-shader.ts";
import { RING_DEPTH, StagingRing } from "../../src/backends/webgpu/staging-ring.ts";
import { random, rawValue, wgslScenarios } from "../shared/wgsl-scenarios.ts";

import { describe, expect, it } from "vitest";
import { createFakeDevice, type FakeDeviceOptions, type FakeGpu, type FakeKernel } from "./fake-gpu.ts";

const ELEMENT_BYTES: Record<CollectiveDType, number> = { float32: 4, int32: 4, float16: 2, bfloat16: 2 };

type Elements = Float32Array | Int32Array | Uint16Array;

function elements(dtype: CollectiveDType, bytes: Uint8Array): Elements {
  const n = bytes.byteLength / ELEMENT_BYTES[dtype];
  if (dtype === "float32") return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  if (dtype === "int32") return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
}

const KEY = /^reduce\/(float32|float16|bfloat16|int32)\/(sum|avg|max|min|prod)\/wg(\d+)\/(vec4|scalar)$/;

/**
 * The reduce shader (shaders/reduce.wgsl) in JS, invocation by invocation: for each
 * global_invocation_id of the x × y grid, i = gid.x + gid.y * row_pitch; if i < units, unit
 * u = unit_offset + i of dst is the reduction of unit u of each source block r (at
 * r * src_stride units), in block order. A unit is 4 elements (vec4), 2 (bf16 scalar) or 1.
 * Out-of-binding accesses and two invocations writing one element throw (on a GPU the former
 * would be clamped or dropped silently, and the latter a race).
 */
function reduceEmulator(pipelineLabel: string, code: string): FakeKernel | undefined {
  const m = KEY.exec(pipelineLabel);
  if (m === null) return undefined;
  const dtype = m[1] as CollectiveDType;
  const op = m[2] as ReduceOp;
  const wg = Number(m[3]);
  const vec4 = m[4] === "vec4";
  if (code !== reduceShaderSource({ dtype, op, vec4, workgroupSize: wg })) {
    throw new Error(`pipeline ${pipelineLabel}: its WGSL is not the reduce shader of that key`);
  }
  const per = vec4 ? 4 : dtype === "bfloat16" ? 2 : 1;
  const combine = combiner(dtype, op);
  return (d) => {
    if (d.workgroupSize?.[0] !== wg) throw new Error(`${pipelineLabel}: workgroup size ${d.workgroupSize} in the WGSL`);
    const [units, unitOffset, srcStride, sources, rowPitch] = d.u32(2);
    if (rowPitch !== d.x * wg) throw new Error(`${pipelineLabel}: row_pitch ${rowPitch} is not x (${d.x}) × workgroup size ${wg}`);
    const src = elements(dtype, d.bytes(0));
    const dst = elements(dtype, d.bytes(1));
    const finish = finisher(op, sources);
    const written = new Uint8Array(dst.length);
    const read = (e: number): number => {
      if (e >= src.length) throw new Error(`${pipelineLabel}: reads src element ${e}, the binding has ${src.length}`);
      return widen(dtype, src[e]);
    };
    for (let gy = 0; gy < d.y; gy++) {
      for (let gx = 0; gx < d.x * wg; gx++) {
        const i = gx + gy * rowPitch;
        if (i >= units) continue;
        const u = unitOffset + i;
        for (let j = 0; j < per; j++) {
          const e = u * per + j;
          let acc = read(e);
          for (let r = 1; r < sources; r++) acc = combine(acc, read((r * srcStride + u) * per + j));
          if (e >= dst.length) throw new Error(`${pipelineLabel}: writes dst element ${e}, the binding has ${dst.length}`);
          if (written[e] === 1) throw new Error(`${pipelineLabel}: two invocations write dst element ${e}`);
          written[e] = 1;
          dst[e] = narrow(dtype, finish(acc));
        }
      }
    }
  };
}

function fake(opts: FakeDeviceOptions = {}): { device: GPUDevice; gpu: FakeGpu } {
  return createFakeDevice({ kernels: reduceEmulator, requireKernels: true, features: ["shader-f16"], ...opts });
}


interface Heap {
  readonly job: ReduceJob;
  readonly inputs: number[][];
  readonly dst: HeapRegion;
  /** The result elements in the slab, as raw stored values. */
  result(): Elements;
}

/** `sources` regions of `count` elements at 256-byte aligned offsets of one slab, and a dst. */
function heapJob(dtype: CollectiveDType, op: ReduceOp, sources: number, count: number, seed = 1): Heap {
  const bpe = ELEMENT_BYTES[dtype];
  const span = Math.ceil((count * bpe) / 256) * 256 + 256;
  const slab = new SharedArrayBuffer(span * (sources + 1));
  const rand = random(seed);
  const inputs = Array.from({ length: sources }, (_, r) => {
    const values = Array.from({ length: count }, () => rawValue(dtype, rand));
    elements(dtype, new Uint8Array(slab, r * span, count * bpe)).set(values);
    return values;
  });
  const dst: HeapRegion = { slab, byteOffset: sources * span };
  const job: ReduceJob = { sources: inputs.map((_, r) => ({ slab, byteOffset: r * span })), count, dtype, op };
  return { job, inputs, dst, result: () => elements(dtype, new Uint8Array(slab, dst.byteOffset, count * bpe)) };
}

/** Raw values → their stored bit patterns, to compare bitwise (NaN payloads, -0). */
function bits(dtype: CollectiveDType, values: ArrayLike<number>): Uint32Array | Uint16Array {
  if (dtype === "float32") return new Uint32Array(Float32Array.from(values).buffer);
  if (dtype === "int32") return new Uint32Array(Int32Array.from(values).buffer);
  return Uint16Array.from(values);
}

function expectBitwise(dtype: CollectiveDType, got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const g = bits(dtype, got);
  const w = bits(dtype, want);
  expect(g.length, what).toBe(w.length);
  const i = g.findIndex((x, k) => x !== w[k]);
  expect(i, `${what}: element ${i} has bits 0x${g[i]?.toString(16)}, the oracle 0x${w[i]?.toString(16)}`).toBe(-1);
}

/** Storage bindings of every dispatch and bind group stay within the limit. */
function expectBindingsWithin(gpu: FakeGpu, limit: number): void {
  const sizes = [
    ...gpu.dispatches.flatMap((d) => d.bindings.filter((b) => b.type !== "uniform").map((b) => b.size)),
    ...gpu.bindGroups.flatMap((g) => g.entries.filter((e) => e.type !== "uniform").map((e) => e.size)),
  ];
  expect(sizes.length).toBeGreaterThan(0);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
}

const reductions = COLLECTIVE_DTYPES.flatMap((dtype) =>
  REDUCE_OPS.filter((op) => !(op === "avg" && dtype === "int32")).map((op) => ({ dtype, op })));

describe("GpuReducer on the fake device", () => {
  it("chunks 4 × 10,000 float32 under a 4096-byte maxStorageBufferBindingSize and matches referenceReduce", async () => {
    const limit = 4096;
    const { device, gpu } = fake({ limits: { maxStorageBufferBindingSize: limit } });
    const h = heapJob("float32", "sum", 4, 10_000);
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise("float32", h.result(), referenceReduce("float32", "sum", h.inputs), "4 × 10,000 float32 sum");

    expectBindingsWithin(gpu, limit);
    // 4096 bytes / (4 sources × 4 bytes) = 256 elements per chunk: 40 chunks of one vec4 dispatch.
    const chunks = Math.ceil(10_000 / 256);
    expect(gpu.dispatches).toHaveLength(chunks);
    expect(new Set(gpu.dispatches.map((d) => d.submit)).size).toBe(chunks); // one submit per chunk
    expect(gpu.submits).toHaveLength(chunks); // the last chunk's submit carries the readback copy
    // The chunks' dst ranges tile [0, 40000) without gaps or overlaps.
    const dst = gpu.dispatches.map((d) => d.bindings.find((b) => b.binding === 1)!).sort((a, b) => a.offset - b.offset);
    dst.forEach((b, k) => expect(b.offset).toBe(k === 0 ? 0 : dst[k - 1].offset + dst[k - 1].size));
    expect(dst.at(-1)!.offset + dst.at(-1)!.size).toBe(40_000);
    // Uploads straight from the SharedArrayBuffer, one per source and chunk; one readback.
    expect(gpu.writes).toHaveLength(4 * chunks);
    expect(gpu.writes.every((w) => w.shared)).toBe(true);
    expect(gpu.maps).toHaveLength(1);
    expect(gpu.maps[0]).toMatchObject({ mode: "read", offset: 0, size: 40_000 });
    // Every per-encode uniform buffer was destroyed; what stays is pooled.
    expect(gpu.buffers.filter((b) => b.label.endsWith("params")).length).toBe(chunks);
    expect(gpu.live().filter((b) => b.label.endsWith("params"))).toEqual([]);
    expect(gpu.live().every((b) => b.label.startsWith("webshmem "))).toBe(true);
  });

  it("folds dispatches to 2-D with maxComputeWorkgroupsPerDimension = 4 and still matches", async () => {
    const { device, gpu } = fake({ limits: { maxComputeWorkgroupsPerDimension: 4, maxStorageBufferBindingSize: 65536 } });
    const h = heapJob("float32", "sum", 4, 10_000, 7);
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise("float32", h.result(), referenceReduce("float32", "sum", h.inputs), "folded 4 × 10,000 float32 sum");
    // 65536 / 16 = 4096 elements per chunk: 1024 vec4 units = 16 groups of 64 → 4 × 4; the last
    // chunk's 1808 elements → 452 units = 8 groups → 4 × 2.
    expect(gpu.dispatches.map((d) => [d.x, d.y, d.z])).toEqual([[4, 4, 1], [4, 4, 1], [4, 2, 1]]);
    expect(gpu.dispatches.some((d) => d.y > 1)).toBe(true);
  });

  it("folds a body and a scalar tail in one pass (10,003 elements, 3 sources)", async () => {
    const { device, gpu } = fake({ limits: { maxComputeWorkgroupsPerDimension: 8 } });
    const h = heapJob("float32", "max", 3, 10_003, 3);
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise("float32", h.result(), referenceReduce("float32", "max", h.inputs), "10,003 max");
    // 2500 vec4 units = 40 groups → 8 × 5; the tail's 3 units → 1 group; one pass, one bind group each.
    expect(gpu.dispatches.map((d) => [d.x, d.y, d.pipelineLabel, d.passLabel])).toEqual([
      [8, 5, "reduce/float32/max/wg64/vec4", "reduce float32 max"],
      [1, 1, "reduce/float32/max/wg64/scalar", "reduce float32 max"],
    ]);
    expect(gpu.dispatches.map((d) => d.bindings.find((b) => b.type === "uniform")!.offset)).toEqual([0, 256]);
  });

  it.each(reductions)("$dtype $op: 3 × 1001 elements, chunked and folded, bit for bit", async ({ dtype, op }) => {
    const limit = 4096;
    const { device, gpu } = fake({ limits: { maxStorageBufferBindingSize: limit, maxComputeWorkgroupsPerDimension: 2 } });
    const h = heapJob(dtype, op, 3, 1001, dtype.length * 31 + op.length);
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise(dtype, h.result(), referenceReduce(dtype, op, h.inputs), `${dtype} ${op}`);
    expectBindingsWithin(gpu, limit);
    expect(gpu.submits.length).toBeGreaterThan(1);
  });

  it("reduces in place (dst is a source) and from strided rows", async () => {
    const { device } = fake({ limits: { maxStorageBufferBindingSize: 2048 } });
    const h = heapJob("int32", "sum", 3, 999, 11);
    const want = referenceReduce("int32", "sum", h.inputs);
    await new GpuReducer(device).reduceToHeap(h.job, h.job.sources[1]);
    expectBitwise("int32", new Int32Array(h.job.sources[1].slab, h.job.sources[1].byteOffset, 999), want, "in place");

    // 2 sources of 6 rows × 50 elements, rows 64 elements apart (reduce_scatter's split_last_dim).
    const rows = 6;
    const len = 50;
    const stride = 64;
    const slab = new SharedArrayBuffer(3 * 4096);
    const rand = random(5);
    const inputs = [0, 1].map((r) => {
      const v = new Float32Array(slab, r * 4096, rows * stride);
      v.set(Array.from({ length: rows * stride }, () => rawValue("float32", rand)));
      return Array.from({ length: rows }, (_, k) => [...v.subarray(k * stride, k * stride + len)]).flat();
    });
    const job: ReduceJob = {
      sources: [0, 1].map((r) => ({ slab, byteOffset: r * 4096, rowLength: len, rowStride: stride })),
      count: rows * len, dtype: "float32", op: "prod",
    };
    await new GpuReducer(device).reduceToHeap(job, { slab, byteOffset: 2 * 4096 });
    expectBitwise("float32", new Float32Array(slab, 2 * 4096, rows * len), referenceReduce("float32", "prod", inputs), "strided rows");
  });

  it("reduceToTensor keeps the result on the GPU; readBack returns it through the staging ring", async () => {
    const { device, gpu } = fake({ limits: { maxStorageBufferBindingSize: 4096 } });
    const h = heapJob("bfloat16", "avg", 5, 777, 13);
    const t = await new GpuReducer(device).reduceToTensor(h.job, [777]);
    expect(t).toBeInstanceOf(GpuTensor);
    const buffer = (t as GpuTensor).buffer;
    expect(gpu.record(buffer)).toMatchObject({ size: 1556, destroyed: false });
    expect(gpu.maps).toEqual([]);
    const bytes = await readBack(device, buffer, 777 * 2);
    expect(bytes.byteLength).toBe(1554);
    expectBitwise("bfloat16", new Uint16Array(bytes), referenceReduce("bfloat16", "avg", h.inputs), "bf16 avg tensor");
    expect(gpu.maps).toHaveLength(1);
    expect(gpu.record(gpu.maps[0].buffer).usageNames).toBe("MAP_READ|COPY_DST");
  });

  it("a WGSL compile error and a missing shader-f16 surface as OpErrors", async () => {
    const broken = fake({ compileErrors: (_code, label) => (label === "reduce/float32/sum/wg64/scalar" ? ["unexpected token"] : []) });
    const h = heapJob("float32", "sum", 2, 100);
    const e = await new GpuReducer(broken.device).reduceToHeap(h.job, h.dst).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(OpError);
    expect((e as Error).message).toMatch(/WGSL kernel reduce\/float32\/sum\/wg64\/scalar does not compile:\n0:0 unexpected token/);

    const noF16 = fake({ features: [] });
    const h16 = heapJob("float16", "sum", 2, 100);
    await expect(new GpuReducer(noF16.device).reduceToHeap(h16.job, h16.dst)).rejects.toThrow(
      /float16 needs the WebGPU feature "shader-f16", which this device \(fake GPUDevice .*\) does not have/);
    expect(noF16.gpu.dispatches).toEqual([]);
  });
});

describe("encodeReduce on the fake device", () => {
  it("binds src and dst ranges at 256-aligned offsets and one uniform slot per dispatch", () => {
    const { device, gpu } = fake();
    const src = device.createBuffer({ size: 8192, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const dst = device.createBuffer({ size: 8192, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const stride = srcStrideFor(301);
    const values = Array.from({ length: 2 * stride }, (_, i) => i % 97);
    device.queue.writeBuffer(src, 512, new Float32Array(values));
    const encoder = device.createCommandEncoder();
    const encoded = encodeReduce(device, encoder, {
      src, srcOffsetBytes: 512, srcStride: stride, sources: 2, dst, dstOffsetBytes: 1024, count: 301, dtype: "float32", op: "sum",
    });
    expect(encoded.dispatches).toBe(2);
    device.queue.submit([encoder.finish()]);
    encoded.release();
    const got = new Float32Array(gpu.read(dst, 1024, 301 * 4).buffer);
    const want = referenceReduce("float32", "sum", [values.slice(0, 301), values.slice(stride, stride + 301)]);
    expectBitwise("float32", got, want, "encodeReduce at offsets");
    expect(gpu.dispatches.map((d) => d.bindings.map((b) => [b.type, b.offset, b.size]))).toEqual([
      [["read-only-storage", 512, (stride + 301) * 4], ["storage", 1024, 1204], ["uniform", 0, 32]],
      [["read-only-storage", 512, (stride + 301) * 4], ["storage", 1024, 1204], ["uniform", 256, 32]],
    ]);
    expect(gpu.live().filter((b) => b.label.endsWith("params"))).toEqual([]);
  });
});

describe("StagingRing on the fake device", () => {
  it("reuses staging buffers per size class and grows when more readbacks are in flight", async () => {
    const { device, gpu } = fake();
    const src = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(src, 0, Uint32Array.from({ length: 1024 }, (_, i) => i * 3));
    const ring = new StagingRing(device);
    const first = await ring.read(src, 10, (m) => [...m]);
    expect(first).toEqual([...gpu.read(src, 0, 10)]);
    const created = ring.buffersCreated;
    expect(created).toBeGreaterThan(0);
    await ring.read(src, 200, (m) => m.length);
    expect(ring.buffersCreated).toBe(created); // same class (256 bytes): reused
    const n = RING_DEPTH + 2;
    const inFlight = await Promise.all(Array.from({ length: n }, (_, k) =>
      ring.read(src, 64, (m) => new Uint32Array(m.slice().buffer)[0], { srcOffset: k * 4 })));
    expect(inFlight).toEqual(Array.from({ length: n }, (_, k) => k * 3));
    expect(ring.buffersCreated).toBe(n);
    expect(gpu.maps.every((m) => m.offset === 0 && m.size % 4 === 0)).toBe(true);
    ring.destroy();
    expect(gpu.live().map((b) => b.usageNames)).toEqual(["COPY_SRC|COPY_DST|STORAGE"]);
  });
});

describe("buffer sizes under the device's limits (two bugs the fake exposed, fixed)", () => {
  it("StagingRing creates RING_DEPTH buffers on the first readback of a size class, and reuses them", async () => {
    const { device } = fake();
    const src = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const ring = new StagingRing(device);
    await ring.read(src, 16, () => undefined);
    expect(ring.buffersCreated).toBe(RING_DEPTH);
    await Promise.all(Array.from({ length: RING_DEPTH }, () => ring.read(src, 16, () => undefined)));
    expect(ring.buffersCreated).toBe(RING_DEPTH);
  });

  it("GpuReducer on a device with a non-power-of-two maxBufferSize stays under it", async () => {
    const { device, gpu } = fake({ limits: { maxBufferSize: 3 * 2 ** 20 } });
    const h = heapJob("float32", "sum", 4, 300_000);
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise("float32", h.result(), referenceReduce("float32", "sum", h.inputs), "3 MiB maxBufferSize");
    expect(Math.max(...gpu.buffers.map((b) => b.size))).toBeLessThanOrEqual(3 * 2 ** 20);
  });

  it("a result larger than maxBufferSize is reduced in pieces, contiguous and in whole strided rows", async () => {
    const limits = { maxBufferSize: 64 * 1024, maxStorageBufferBindingSize: 64 * 1024 };
    const { device, gpu } = fake({ limits });
    const h = heapJob("float32", "max", 3, 40_000, 7); // 160 KB of result: three pieces
    await new GpuReducer(device).reduceToHeap(h.job, h.dst);
    expectBitwise("float32", h.result(), referenceReduce("float32", "max", h.inputs), "pieces");
    expect(Math.max(...gpu.buffers.map((b) => b.size))).toBeLessThanOrEqual(limits.maxBufferSize);
    expect(gpu.maps.length).toBe(3);

    // 2 sources of 700 rows × 30 elements, 32 apart: 84 KB of result, pieces of whole rows.
    const rows = 700;
    const len = 30;
    const stride = 32;
    const bytes = rows * stride * 4;
    const slab = new SharedArrayBuffer(3 * bytes);
    const rand = random(9);
    const inputs = [0, 1].map((r) => {
      const v = new Float32Array(slab, r * bytes, rows * stride);
      v.set(Array.from({ length: rows * stride }, () => rawValue("float32", rand)));
      return Array.from({ length: rows }, (_, k) => [...v.subarray(k * stride, k * stride + len)]).flat();
    });
    const job: ReduceJob = {
      sources: [0, 1].map((r) => ({ slab, byteOffset: r * bytes, rowLength: len, rowStride: stride })),
      count: rows * len, dtype: "float32", op: "sum",
    };
    await new GpuReducer(device).reduceToHeap(job, { slab, byteOffset: 2 * bytes });
    expectBitwise("float32", new Float32Array(slab, 2 * bytes, rows * len), referenceReduce("float32", "sum", inputs), "strided pieces");
  });

  it("reduceToTensor refuses a result that no GPU buffer can hold, with an OpError", async () => {
    const { device } = fake({ limits: { maxBufferSize: 64 * 1024, maxStorageBufferBindingSize: 64 * 1024 } });
    const h = heapJob("float32", "sum", 2, 20_000);
    await expect(new GpuReducer(device).reduceToTensor(h.job, [20_000])).rejects.toThrow(/does not fit one GPU buffer/);
  });
});

describe("the shared WGSL scenarios (run on lavapipe and SwiftShader elsewhere) on the fake", () => {
  for (const features of [["shader-f16"], []]) {
    for (const [name, scenario] of Object.entries(wgslScenarios)) {
      it(`${name}${features.length === 0 ? " (no shader-f16)" : ""}`, async () => {
        const { device, gpu } = fake({ features });
        const summary = await scenario(device);
        expect(summary).toBeTypeOf("string");
        if (name === "reduceMatchesOracle") expect(gpu.dispatches.length).toBeGreaterThan(0);
      });
    }
  }
});
