/**
 * The WGSL reduction kernels on a real device, written once and run in Deno (lavapipe) and in
 * Chromium (SwiftShader): every shader variant compiles, and encodeReduce matches the host oracle
 * (referenceReduce) bit for bit. Each scenario takes a GPUDevice, throws on any mismatch and
 * returns a one-line summary.
 *
 * Bitwise holds on lavapipe and SwiftShader for every op. WGSL itself promises correct rounding
 * for f32 `+` and `*` only: `/` (avg's finish) may be 2.5 ulp off and f32 → f16 may round either
 * way, so a hardware GPU that differs there needs a tolerance for avg / float16, not a kernel fix.
 */
import { referenceReduce, f32ToBf16, f32ToF16 } from "../../src/core/reduce-math.ts";
import { COLLECTIVE_DTYPES, REDUCE_OPS, type CollectiveDType, type ReduceOp } from "../../src/core/reduce-op.ts";
import { OpError } from "../../src/core/errors.ts";
import { compilationErrors } from "../../src/backends/webgpu/pipeline-cache.ts";
import { encodeReduce, prepareReduce, srcStrideFor, type ReduceEncodeOptions } from "../../src/backends/webgpu/reduce-program.ts";
import { itemsize } from "../../src/core/dtype.ts";
import { reduceShaderSource } from "../../src/backends/webgpu/wgsl/reduce-shader.ts";
import { check } from "./check.ts";

/** A device from navigator.gpu with shader-f16 when the adapter has it. */
export async function acquireTestDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) throw new Error("no WebGPU adapter");
  const requiredFeatures: GPUFeatureName[] = adapter.features.has("shader-f16") ? ["shader-f16"] : [];
  return adapter.requestDevice({ requiredFeatures });
}

const F16_MESSAGE = /^float16 needs the WebGPU feature "shader-f16", which this device( \(.+\))? does not have$/;

function reductions(): { dtype: CollectiveDType; op: ReduceOp }[] {
  return COLLECTIVE_DTYPES.flatMap((dtype) =>
    REDUCE_OPS.filter((op) => !(op === "avg" && dtype === "int32")).map((op) => ({ dtype, op })));
}

function expectOpError(what: string, f: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  check(error instanceof OpError, `${what}: expected an OpError, got ${error === undefined ? "no error" : String(error)}`);
  check(message.test((error as Error).message), `${what}: message ${JSON.stringify((error as Error).message)} does not match ${message}`);
}

async function expectRejection(what: string, p: Promise<unknown>, message: RegExp): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e ?? new Error("rejected with nothing"));
  check(error instanceof OpError, `${what}: expected an OpError, got ${error === undefined ? "success" : String(error)}`);
  check(message.test((error as Error).message), `${what}: message ${JSON.stringify((error as Error).message)} does not match ${message}`);
  return (error as Error).message;
}

/** Deterministic [0, 1) generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A raw stored value: ±[0.5, 2) for floats, so prod of 8 stays finite even in f16; any i32. */
function rawValue(dtype: CollectiveDType, rand: () => number): number {
  if (dtype === "int32") return (rand() * 4294967296) | 0;
  const v = (rand() < 0.5 ? -1 : 1) * (0.5 + 1.5 * rand());
  if (dtype === "float16") return f32ToF16(v);
  if (dtype === "bfloat16") return f32ToBf16(v);
  return Math.fround(v);
}

function writeRaw(view: DataView, byteOffset: number, dtype: CollectiveDType, raw: number): void {
  if (dtype === "float32") view.setFloat32(byteOffset, raw, true);
  else if (dtype === "int32") view.setInt32(byteOffset, raw, true);
  else view.setUint16(byteOffset, raw, true);
}

/** Raw bits as stored, for a bitwise comparison (f32 as its u32 pattern). */
function readBits(view: DataView, byteOffset: number, dtype: CollectiveDType): number {
  if (dtype === "float32" || dtype === "int32") return view.getUint32(byteOffset, true);
  return view.getUint16(byteOffset, true);
}

const f32Bits = new DataView(new ArrayBuffer(4));
function oracleBits(dtype: CollectiveDType, v: number): number {
  if (dtype === "float32") {
    f32Bits.setFloat32(0, v, true);
    return f32Bits.getUint32(0, true);
  }
  return dtype === "int32" ? v >>> 0 : v;
}

interface Case {
  readonly sources: number;
  readonly count: number;
  readonly workgroupSize?: number;
  readonly maxGroupsPerDim?: number;
}

// 8195 elements = 2048 vec4 units + a tail of 3: 32 workgroups of 64 fold into 7 × 5, and 64 of
// 32 into 9 × 8, both with an overshooting last row.
const FOLD_CASES: Case[] = [
  { sources: 3, count: 8195, maxGroupsPerDim: 7 },
  { sources: 2, count: 8195, workgroupSize: 32, maxGroupsPerDim: 9 },
];

function cases(): Case[] {
  const out: Case[] = [];
  for (const sources of [1, 2, 3, 8]) {
    for (const count of [0, 1, 3, 4, 5, 8, 127, 8196]) out.push({ sources, count });
  }
  return [...out, ...FOLD_CASES];
}

const SENTINEL = 0xa5;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

interface Placed extends Case {
  readonly srcOffset: number;
  readonly srcStride: number;
  readonly dstOffset: number;
  readonly inputs: number[][];
}

/**
 * Runs every case of one (dtype, op) in one submission with one readback (a mapAsync costs
 * ~11 ms on Deno): the cases sit at 256-byte aligned offsets of one src and one dst buffer, so
 * non-zero offsets are exercised too. Returns the number of elements compared.
 */
async function checkReduction(device: GPUDevice, dtype: CollectiveDType, op: ReduceOp, seed: number): Promise<number> {
  const bpe = itemsize(dtype);
  const rand = random(seed);
  const placed: Placed[] = [];
  let srcEnd = 0;
  let dstEnd = 0;
  for (const c of cases()) {
    const srcStride = srcStrideFor(c.count);
    // Junk in each block's padding too: the kernel must not fold it into the result.
    const inputs = Array.from({ length: c.sources }, () => Array.from({ length: srcStride }, () => rawValue(dtype, rand)));
    placed.push({ ...c, srcOffset: srcEnd, srcStride, dstOffset: dstEnd, inputs });
    srcEnd = alignUp(srcEnd + c.sources * srcStride * bpe, 256);
    dstEnd = alignUp(dstEnd + alignUp(c.count * bpe, 4) + 1, 256); // ≥ 1 guard byte after each
  }

  const src = device.createBuffer({ size: Math.max(srcEnd, 256), usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  const srcView = new DataView(src.getMappedRange());
  for (const p of placed) {
    p.inputs.forEach((block, r) => block.forEach((raw, i) => writeRaw(srcView, p.srcOffset + (r * p.srcStride + i) * bpe, dtype, raw)));
  }
  src.unmap();
  const dst = device.createBuffer({ size: dstEnd, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
  new Uint8Array(dst.getMappedRange()).fill(SENTINEL);
  dst.unmap();
  const staging = device.createBuffer({ size: dstEnd, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  let got: DataView;
  try {
    device.pushErrorScope("validation");
    const encoder = device.createCommandEncoder();
    const encoded = placed.map((p) => {
      const o: ReduceEncodeOptions = {
        src, srcOffsetBytes: p.srcOffset, srcStride: p.srcStride, sources: p.sources,
        dst, dstOffsetBytes: p.dstOffset, count: p.count, dtype, op,
        workgroupSize: p.workgroupSize, maxGroupsPerDim: p.maxGroupsPerDim,
      };
      const e = encodeReduce(device, encoder, o);
      check(p.count > 0 || e.dispatches === 0, `count 0 encoded ${e.dispatches} dispatches`);
      return e;
    });
    encoder.copyBufferToBuffer(dst, 0, staging, 0, dstEnd);
    device.queue.submit([encoder.finish()]);
    for (const e of encoded) e.release();
    const error = await device.popErrorScope();
    check(error === null, `${dtype} ${op}: WebGPU validation error: ${error?.message}`);
    await staging.mapAsync(GPUMapMode.READ);
    got = new DataView(staging.getMappedRange().slice(0));
    staging.unmap();
  } finally {
    src.destroy();
    dst.destroy();
    staging.destroy();
  }

  let compared = 0;
  let guard = 0;
  for (const p of placed) {
    const what = `${dtype} ${op}, ${p.sources} sources × ${p.count} elements` +
      (p.maxGroupsPerDim ? ` (folded, max ${p.maxGroupsPerDim} groups per dimension, workgroup ${p.workgroupSize ?? "default"})` : "");
    const want = referenceReduce(dtype, op, p.inputs.map((b) => b.slice(0, p.count)));
    for (let i = 0; i < p.count; i++) {
      const g = readBits(got, p.dstOffset + i * bpe, dtype);
      const w = oracleBits(dtype, want[i]);
      check(g === w, `${what}: element ${i} has bits 0x${g.toString(16)}, the oracle 0x${w.toString(16)} ` +
        `(inputs ${p.inputs.map((b) => b[i]).join(", ")})`);
    }
    compared += p.count;
    // Nothing outside [offset, offset + count elements rounded up to 4 bytes) may change; the
    // round-up holds bf16's junk half word.
    const end = p.dstOffset + alignUp(p.count * bpe, 4);
    const next = placed[placed.indexOf(p) + 1]?.dstOffset ?? got.byteLength;
    for (let b = end; b < next; b++) {
      check(got.getUint8(b) === SENTINEL, `${what}: dst byte ${b - p.dstOffset} past the result was overwritten`);
      guard++;
    }
  }
  check(guard > 0, "no guard bytes were checked");
  return compared;
}

export const wgslScenarios: Record<string, (device: GPUDevice) => Promise<string>> = {
  /** Every generated variant compiles without errors, and builds a pipeline on the shared layout. */
  async compileEveryVariant(device) {
    const hasF16 = device.features.has("shader-f16");
    let compiled = 0;
    let refusal = "";
    for (const { dtype, op } of reductions()) {
      if (dtype === "float16" && !hasF16) {
        refusal = await expectRejection(`prepareReduce float16 ${op}`, prepareReduce(device, { dtype, op }), F16_MESSAGE);
        continue;
      }
      for (const vec4 of [true, false]) {
        const code = reduceShaderSource({ dtype, op, vec4, workgroupSize: 64 });
        const errors = await compilationErrors(device.createShaderModule({ code }));
        check(errors.length === 0, `${dtype} ${op} ${vec4 ? "vec4" : "scalar"} does not compile:\n${errors.join("\n")}\n${code}`);
        compiled++;
      }
      await prepareReduce(device, { dtype, op });
    }
    expectOpError("avg on int32", () => reduceShaderSource({ dtype: "int32", op: "avg", vec4: false, workgroupSize: 64 }),
      /"avg" is not valid for dtype int32/);
    return `${compiled} variants compiled, pipelines built` +
      (hasF16 ? " (shader-f16 present)" : `; float16 refused: ${refusal}`);
  },

  /** encodeReduce against referenceReduce, bitwise, for every dtype × op × sources × count. */
  async reduceMatchesOracle(device) {
    const hasF16 = device.features.has("shader-f16");
    let elements = 0;
    let reductionsRun = 0;
    let seed = 1;
    for (const { dtype, op } of reductions()) {
      seed++;
      if (dtype === "float16" && !hasF16) {
        const b = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
        const d = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
        expectOpError(`encodeReduce float16 ${op}`, () => encodeReduce(device, device.createCommandEncoder(),
          { src: b, dst: d, srcStride: 128, sources: 1, count: 4, dtype, op }), F16_MESSAGE);
        b.destroy();
        d.destroy();
        continue;
      }
      elements += await checkReduction(device, dtype, op, seed);
      reductionsRun++;
    }
    return `${reductionsRun} dtype × op pairs × ${cases().length} cases, ${elements} elements bitwise equal to the oracle`;
  },

  /** Bad arguments throw an OpError naming the problem before anything is encoded. */
  async encodeArgumentErrors(device) {
    const src = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE });
    const dst = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE });
    const base: ReduceEncodeOptions = { src, dst, srcStride: 128, sources: 2, count: 100, dtype: "float32", op: "sum" };
    const bad: [string, Partial<ReduceEncodeOptions>, RegExp][] = [
      ["unaligned src offset", { srcOffsetBytes: 16 }, /srcOffsetBytes must be a multiple of 256, found 16/],
      ["unaligned dst offset", { dstOffsetBytes: 4 }, /dstOffsetBytes must be a multiple of 256, found 4/],
      ["stride not a multiple of 128", { srcStride: 100 }, /srcStride must be a multiple of 128/],
      ["overlapping blocks", { count: 200 }, /srcStride 128 is smaller than count 200/],
      ["one buffer for src and dst", { dst: src }, /src and dst must be different buffers/],
      ["src too small", { sources: 9 }, /src needs 4496 bytes .* its size is 4096/],
      ["dst too small", { dstOffsetBytes: 4096 }, /dst needs 4496 bytes/],
      ["int32 avg", { dtype: "int32", op: "avg" }, /"avg" is not valid for dtype int32/],
      ["too many groups to fold", { count: 128, sources: 1, workgroupSize: 4, maxGroupsPerDim: 2 }, /more than 2 × 2/],
    ];
    try {
      for (const [what, change, message] of bad) {
        expectOpError(what, () => encodeReduce(device, device.createCommandEncoder(), { ...base, ...change }), message);
      }
    } finally {
      src.destroy();
      dst.destroy();
    }
    return `${bad.length} bad argument sets refused with OpErrors`;
  },
};
