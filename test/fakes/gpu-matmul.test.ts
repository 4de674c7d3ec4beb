/**
 * The webgpu backend's matmul (GpuMatmuler) on the fake device, with shaders/matmul.wgsl emulated
 * in JS (its tile numbering, folding, element addressing and per-dtype stores): uploads of heap
 * operands, GPU tensors bound whole with element offsets, the readback of a heap `out` into its
 * rows only, 2-D folding, a GPU tensor that is both an operand and `out`, and the refusals. The
 * WGSL itself runs on real devices: test/webgpu-node/mm.test.ts, deno/tests/mm_test.ts, e2e/mm.spec.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../../src/core/reduce-math.ts";
import type { MatmulDType } from "../../src/backends/matmul.ts";
import { GpuMatmuler } from "../../src/backends/webgpu/gpu-matmul.ts";
import { GpuTensor, paddedSize } from "../../src/backends/webgpu/gpu-tensor.ts";
import { matmulShaderSource } from "../../src/backends/webgpu/wgsl/matmul-shader.ts";
import { referenceMm, tolerance } from "../fixtures/mm-ranks.ts";
import { localRank } from "../helpers/local-rank.ts";
import { createFakeDevice, type FakeDispatch, type FakeGpu } from "./fake-gpu.ts";
import { installWebGPUGlobals } from "./webgpu-globals.ts";

beforeAll(() => installWebGPUGlobals());

const TILE = 64;

/** The uniform words of the last emulated dispatch. */
let lastParams: number[] = [];

/** shaders/matmul.wgsl in JS: each workgroup one TILE × TILE tile, f32 sums in k order, the dtype's store. */
function emulate(dtype: MatmulDType): (d: FakeDispatch) => void {
  return (d) => {
    lastParams = Array.from(d.u32(3));
    const [m, n, k, aOff, aStride, bOff, bStride, oOff, oStride, tilesN, tiles, rowPitch] = lastParams;
    const load = (binding: number): ((i: number) => number) => {
      if (dtype === "float32") { const v = d.f32(binding); return (i) => v[i]; }
      const v = d.u16(binding);
      return dtype === "float16" ? (i) => f16ToF32(v[i]) : (i) => bf16ToF32(v[i]);
    };
    const [la, lb] = [load(0), load(1)];
    const f32out = dtype === "float32" ? d.f32(2) : undefined;
    const u16out = dtype === "float32" ? undefined : d.u16(2);
    for (let y = 0; y < d.y; y++) {
      for (let x = 0; x < d.x; x++) {
        const tile = x + y * (rowPitch / 256);
        if (tile >= tiles) continue;
        const row0 = Math.floor(tile / tilesN) * TILE;
        const col0 = (tile % tilesN) * TILE;
        for (let r = row0; r < Math.min(m, row0 + TILE); r++) {
          for (let c = col0; c < Math.min(n, col0 + TILE); c++) {
            let acc = 0;
            for (let p = 0; p < k; p++) acc = Math.fround(acc + Math.fround(la(aOff + r * aStride + p) * lb(bOff + p * bStride + c)));
            const i = oOff + r * oStride + c;
            if (f32out !== undefined) f32out[i] = acc;
            else u16out![i] = dtype === "float16" ? f32ToF16(acc) : f32ToBf16(acc);
          }
        }
      }
    }
  };
}

function fake(opts: { limits?: Record<string, number>; features?: string[] } = {}): { device: GPUDevice; gpu: FakeGpu } {
  return createFakeDevice({
    kernels: (label) => (label.startsWith("matmul/") ? emulate(label.slice(7) as MatmulDType) : undefined),
    requireKernels: true,
    features: opts.features ?? ["shader-f16"],
    limits: opts.limits,
  });
}

const GUARD = 768;
const raw = (dtype: MatmulDType, v: number) => (dtype === "float16" ? f32ToF16(v) : dtype === "bfloat16" ? f32ToBf16(v) : v);
const num = (dtype: MatmulDType, r: number) => (dtype === "float16" ? f16ToF32(r) : dtype === "bfloat16" ? bf16ToF32(r) : r);
const values = (count: number, seed: number) => Array.from({ length: count }, (_, i) => (((i * 37 + seed * 11) % 129) - 64) / 64);

function gpuTensor(device: GPUDevice, dtype: MatmulDType, count: number, elements: readonly number[]): GpuTensor {
  const host = dtype === "float32" ? new Float32Array(count) : new Uint16Array(count);
  host.set(elements.map((v) => raw(dtype, v)));
  const bytes = paddedSize(host.byteLength);
  const buffer = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const padded = new Uint8Array(bytes);
  padded.set(new Uint8Array(host.buffer));
  device.queue.writeBuffer(buffer, 0, padded);
  return new GpuTensor(dtype, [count], buffer);
}

async function gpuValues(gpu: FakeGpu, t: GpuTensor): Promise<number[]> {
  const bytes = await gpu.read(t.buffer);
  const view = t.dtype === "float32" ? new Float32Array(bytes.buffer, bytes.byteOffset, t.numel) : new Uint16Array(bytes.buffer, bytes.byteOffset, t.numel);
  return Array.from(view, (r) => num(t.dtype as MatmulDType, r));
}

describe("GpuMatmuler on the fake device", () => {
  for (const dtype of ["float32", "float16", "bfloat16"] as const) {
    it(`${dtype}: a GPU window times a heap matrix into a strided heap tile; guards and the bytes between rows untouched`, async () => {
      const { device, gpu } = fake();
      const rank = localRank(1 << 20);
      const [m, k, n] = [70, 33, 67]; // two tiles each way, odd sizes
      const aStride = k + 2;
      const a = gpuTensor(device, dtype, 5 + (m - 1) * aStride + k, values(5 + (m - 1) * aStride + k, 1));
      const b = rank.symm.empty([k, n], dtype);
      const bv = values(k * n, 2);
      (b.data as Uint16Array).set(bv.map((v) => raw(dtype, v)));
      const big = rank.symm.empty([m + 2, n + 3], dtype);
      (big.data as Uint16Array).fill(raw(dtype, GUARD));
      const out = big.tile(1, 1, m, n);
      await new GpuMatmuler(device, 0).mm({
        a: { tensor: a, offset: 5, rows: m, cols: k, rowStride: aStride }, b: { tensor: b, rows: k, cols: n },
        out: { tensor: out, rows: m, cols: n, rowStride: out.strides[0] },
      });
      const av = values(5 + (m - 1) * aStride + k, 1).map((v) => num(dtype, raw(dtype, v)));
      const A = Array.from({ length: m * k }, (_, e) => av[5 + Math.floor(e / k) * aStride + (e % k)]);
      const { ref, absSum } = referenceMm(A, bv.map((v) => num(dtype, raw(dtype, v))), m, k, n);
      const all = Array.from(big.data as Uint16Array, (r) => num(dtype, r));
      for (let e = 0; e < all.length; e++) {
        const r = Math.floor(e / (n + 3)) - 1;
        const c = (e % (n + 3)) - 1;
        if (r < 0 || r >= m || c < 0 || c >= n) expect(all[e], `guard ${e}`).toBe(GUARD);
        else expect(Math.abs(all[e] - ref[r * n + c]), `(${r}, ${c})`).toBeLessThanOrEqual(tolerance(dtype, k, absSum[r * n + c]));
      }
      const d = gpu.dispatches[0];
      expect([d.x, d.y]).toEqual([4, 1]);
      // a bound whole (no offset to align), b and out in pooled scratch buffers
      expect(d.bindings.find((x) => x.binding === 0)).toMatchObject({ buffer: a.buffer, offset: 0, size: a.buffer.size });
      expect(lastParams).toEqual([m, n, k, 5, aStride, 0, n, 0, n, 2, 4, 4 * 256]);
    });
  }

  it("folds a dispatch of 24 tiles into 5 × 5 workgroups when the per-dimension limit is 5 (the 25th has no tile)", async () => {
    const { device, gpu } = fake();
    const [m, k, n] = [200, 3, 330];
    const a = gpuTensor(device, "float32", m * k, values(m * k, 3));
    const b = gpuTensor(device, "float32", k * n, values(k * n, 4));
    const out = gpuTensor(device, "float32", m * n, []);
    await new GpuMatmuler(device, 0, { maxGroupsPerDim: 5 }).mm({
      a: { tensor: a, rows: m, cols: k }, b: { tensor: b, rows: k, cols: n }, out: { tensor: out, rows: m, cols: n },
    });
    expect([gpu.dispatches[0].x, gpu.dispatches[0].y]).toEqual([5, 5]);
    const { ref } = referenceMm(values(m * k, 3), values(k * n, 4), m, k, n);
    const got = await gpuValues(gpu, out);
    for (let e = 0; e < m * n; e += 17) expect(got[e]).toBeCloseTo(ref[e], 5);
  });

  it("a GPU tensor that holds both b and out is copied first (one buffer cannot be read and read_write in a dispatch)", async () => {
    const { device, gpu } = fake();
    const [m, k, n] = [3, 4, 5];
    const shared = gpuTensor(device, "bfloat16", 1 + k * n + m * n, [0, ...values(k * n, 5)]);
    const a = gpuTensor(device, "bfloat16", m * k, values(m * k, 6));
    await new GpuMatmuler(device, 0).mm({
      a: { tensor: a, rows: m, cols: k }, b: { tensor: shared, offset: 1, rows: k, cols: n },
      out: { tensor: shared, offset: 1 + k * n, rows: m, cols: n },
    });
    const binds = gpu.dispatches[0].bindings;
    expect(binds.find((x) => x.binding === 1)?.buffer).not.toBe(shared.buffer);
    expect(binds.find((x) => x.binding === 2)?.buffer).toBe(shared.buffer);
    const got = await gpuValues(gpu, shared);
    const B = got.slice(1, 1 + k * n);
    const { ref, absSum } = referenceMm(values(m * k, 6).map((v) => num("bfloat16", raw("bfloat16", v))), B, m, k, n);
    got.slice(1 + k * n).forEach((v, e) => expect(Math.abs(v - ref[e])).toBeLessThanOrEqual(tolerance("bfloat16", k, absSum[e])));
    expect(got[0]).toBe(0);
  });

  it("refuses float16 without shader-f16, a binding past the limit, and a cpu tensor, with OpErrors", async () => {
    const rank = localRank(1 << 16);
    const noF16 = fake({ features: [] }).device;
    const h = rank.symm.empty([2, 2], "float16");
    await expect(new GpuMatmuler(noF16, 3).mm({ a: { tensor: h, rows: 2, cols: 2 }, b: { tensor: h, rows: 2, cols: 2 },
      out: { tensor: gpuTensor(noF16, "float16", 4, []), rows: 2, cols: 2 } })).rejects.toThrow(
      /^float16 needs the WebGPU feature "shader-f16", which this device .*does not have$/);
    const small = fake({ limits: { maxStorageBufferBindingSize: 1024 } }).device;
    const big = rank.symm.empty([300], "float32");
    await expect(new GpuMatmuler(small, 3).mm({ a: { tensor: big, rows: 1, cols: 300 }, b: { tensor: big, rows: 300, cols: 1 },
      out: { tensor: gpuTensor(small, "float32", 1, []), rows: 1, cols: 1 } })).rejects.toThrow(new OpError(
      "webgpu matmul on rank 3: a needs a binding of 1200 bytes, expected at most maxStorageBufferBindingSize (1024); " +
        "split the matmul into row blocks"));
    const cpu = rank.tensor(new Float32Array(4), { shape: [2, 2] });
    await expect(new GpuMatmuler(small, 3).mm({ a: { tensor: cpu, rows: 2, cols: 2 }, b: { tensor: cpu, rows: 2, cols: 2 },
      out: { tensor: gpuTensor(small, "float32", 4, []), rows: 2, cols: 2 } })).rejects.toThrow(new OpError(
      "webgpu matmul on rank 3: a expected a webgpu tensor or a symmetric tensor, found a cpu float32 tensor"));
  });

  it("the generated WGSL has every placeholder filled, per dtype", () => {
    for (const dtype of ["float32", "float16", "bfloat16"] as const) {
      const src = matmulShaderSource(dtype);
      expect(src).not.toMatch(/\$\{/);
      expect(src.includes("enable f16;")).toBe(dtype === "float16");
      expect(src.includes("atomic<u32>")).toBe(dtype === "bfloat16");
    }
  });
});
