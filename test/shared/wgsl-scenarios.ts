/**
 * The WGSL reduction kernels on a real device, written once and run in Deno (lavapipe) and in
 * Chromium (SwiftShader): every shader variant compiles, and encodeReduce matches the host oracle
 * (referenceReduce) bit for bit; the reducer's chunking through the program runner and the
 * staging ring's reuse. Each scenario takes a GPUDevice, throws on any mismatch and returns a
 * one-line summary. The runners give each scenario its own device through withDevice
 * (test/shared/with-device.ts), which holds the validation error scope and destroys every buffer
 * and the device afterwards; so the scenarios neither push scopes nor destroy what they create.
 * (test/fakes/webgpu-on-fake.test.ts runs them on the fake GPUDevice too.)
 *
 * Bitwise holds on lavapipe and SwiftShader for every op. WGSL itself promises correct rounding
 * for f32 `+` and `*` only: `/` (avg's finish) may be 2.5 ulp off and f32 → f16 may round either
 * way, so a hardware GPU that differs there needs a tolerance for avg / float16, not a kernel fix.
 */
import { referenceReduce, f32ToBf16, f32ToF16 } from "../../src/core/reduce-math.ts";
import { COLLECTIVE_DTYPES, REDUCE_OPS, type CollectiveDType, type ReduceOp } from "../../src/core/reduce-op.ts";
import { OpError } from "../../src/core/errors.ts";
import type { HeapRegion, ReduceJob } from "../../src/core/reducer.ts";
import { compilationErrors } from "../../src/backends/webgpu/pipeline-cache.ts";
import { encodeReduce, prepareReduce, srcStrideFor, type ReduceEncodeOptions } from "../../src/backends/webgpu/reduce-program.ts";
import { GpuReducer } from "../../src/backends/webgpu/gpu-reducer.ts";
import { resourcesOf } from "../../src/backends/webgpu/device-resources.ts";
import { RING_DEPTH, StagingRing } from "../../src/backends/webgpu/staging-ring.ts";
import { itemsize } from "../../src/core/dtype.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { reduceShaderSource } from "../../src/backends/webgpu/wgsl/reduce-shader.ts";
import { check } from "./check.ts";

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
export function random(seed: number): () => number {
  return mulberry32(seed);
}

/** A raw stored value: ±[0.5, 2) for floats, so prod of 8 stays finite even in f16; any i32. */
export function rawValue(dtype: CollectiveDType, rand: () => number): number {
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

  const label = `${dtype} ${op}`;
  const src = device.createBuffer({ label: `${label} src`, size: Math.max(srcEnd, 256), usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  const srcView = new DataView(src.getMappedRange());
  for (const p of placed) {
    p.inputs.forEach((block, r) => block.forEach((raw, i) => writeRaw(srcView, p.srcOffset + (r * p.srcStride + i) * bpe, dtype, raw)));
  }
  src.unmap();
  const dst = device.createBuffer({ label: `${label} dst`, size: dstEnd, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
  new Uint8Array(dst.getMappedRange()).fill(SENTINEL);
  dst.unmap();
  const staging = device.createBuffer({ label: `${label} staging`, size: dstEnd, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  // A validation error here fails the test through withDevice's error scope (the labels name the pair).
  const encoder = device.createCommandEncoder({ label });
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
  await staging.mapAsync(GPUMapMode.READ);
  const got = new DataView(staging.getMappedRange().slice(0));
  staging.unmap();

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

/**
 * Makes `device.limits`, as the library reads it, report `overrides` until the returned function
 * restores it. WebGPU raises a requested limit worse than the default to the default (a device
 * cannot be asked for a maxStorageBufferBindingSize under 128 MiB), so this is how a test forces
 * the reducer to chunk small jobs; the implementation still enforces its own limits, and the
 * library's own check (reduceCalls) enforces the shadowed ones.
 */
function shadowLimits(device: GPUDevice, overrides: Record<string, number>): () => void {
  const own = Object.getOwnPropertyDescriptor(device, "limits");
  const real = device.limits as unknown as Record<string, unknown>;
  const copy: Record<string, number> = {};
  // GPUSupportedLimits' attributes are getters on its prototype (not always enumerable).
  for (let o: object | null = real; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      const v = real[k];
      if (!(k in copy) && typeof v === "number") copy[k] = v;
    }
  }
  Object.defineProperty(device, "limits", { value: Object.freeze({ ...copy, ...overrides }), configurable: true });
  return () => {
    if (own !== undefined) Object.defineProperty(device, "limits", own);
    else delete (device as { limits?: unknown }).limits;
  };
}

/** The reducer's chunks under a small binding limit: dtype × op × sources × count, strided or in place. */
interface HeapCase {
  readonly dtype: CollectiveDType;
  readonly op: ReduceOp;
  readonly sources: number;
  readonly count: number;
  /** Sources as rows of rowLength elements, rowStride apart (junk between rows). */
  readonly rows?: { readonly rowLength: number; readonly rowStride: number };
  /** dst is source 0's region. */
  readonly inPlace?: boolean;
}

/** Bytes every binding of the chunked reducer must stay within (it sees this as the device's limit). */
const CHUNK_BINDING_LIMIT = 16 * 1024;

// Under 16 KiB every case takes at least 3 chunks, the last one short (odd for bf16).
const HEAP_CASES: HeapCase[] = [
  { dtype: "float32", op: "sum", sources: 3, count: 4000 },
  { dtype: "bfloat16", op: "avg", sources: 5, count: 4609, inPlace: true },
  { dtype: "int32", op: "prod", sources: 2, count: 6000, rows: { rowLength: 300, rowStride: 384 } },
  { dtype: "float16", op: "max", sources: 8, count: 2500 },
];

/**
 * GpuReducer.reduceToHeap on one case, chunked under CHUNK_BINDING_LIMIT: the result is the
 * oracle's bit for bit, nothing else in the slab changes, and the program runner was given one
 * encode per chunk whose bindings stay under the limit and whose dst ranges tile the result.
 * Returns the number of chunks, or 0 when the device refused float16 as it should.
 */
async function checkChunkedReduce(device: GPUDevice, reducer: GpuReducer, c: HeapCase, seed: number): Promise<number> {
  const bpe = itemsize(c.dtype);
  const rand = random(seed);
  const what = `reduceToHeap ${c.dtype} ${c.op}, ${c.sources} sources × ${c.count}` +
    (c.rows ? ` in rows of ${c.rows.rowLength} every ${c.rows.rowStride}` : "") + (c.inPlace ? ", in place" : "");
  const span = c.rows ? (c.count / c.rows.rowLength) * c.rows.rowStride : c.count;
  // Regions at offsets ≡ 8 (mod 16): not aligned the way GPU offsets must be.
  const place = (at: number, elements: number) => alignUp(at + elements * bpe, 16) + 8;
  const offsets: number[] = [];
  let end = 8;
  for (let r = 0; r < c.sources; r++) {
    offsets.push(end);
    end = place(end, span);
  }
  const dstOffset = c.inPlace ? offsets[0] : end;
  if (!c.inPlace) end = place(end, c.count);
  const slab = new SharedArrayBuffer(alignUp(end + 64, 8));
  const bytes = new Uint8Array(slab);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (rand() * 256) | 0; // junk between rows and regions
  const view = new DataView(slab);
  const at = (r: number, i: number) =>
    offsets[r] + (c.rows ? Math.floor(i / c.rows.rowLength) * c.rows.rowStride + (i % c.rows.rowLength) : i) * bpe;
  const inputs = Array.from({ length: c.sources }, (_, r) => Array.from({ length: c.count }, (_, i) => {
    const raw = rawValue(c.dtype, rand);
    writeRaw(view, at(r, i), c.dtype, raw);
    return raw;
  }));
  const before = bytes.slice();
  const sources: HeapRegion[] = offsets.map((byteOffset) => ({ slab, byteOffset, ...c.rows }));
  const job: ReduceJob = { sources, count: c.count, dtype: c.dtype, op: c.op };

  const runner = resourcesOf(device).runner;
  const encodes: (readonly GPUBufferBinding[])[][] = [];
  runner.encode = (encoder, calls, opts) => {
    encodes.push(calls.map((call) => call.bindings));
    return Object.getPrototypeOf(runner).encode.call(runner, encoder, calls, opts);
  };
  try {
    if (c.dtype === "float16" && !device.features.has("shader-f16")) {
      await expectRejection(what, reducer.reduceToHeap(job, { slab, byteOffset: dstOffset }), F16_MESSAGE);
      check(bytes.every((b, i) => b === before[i]), `${what}: the refused reduction changed the heap`);
      return 0;
    }
    await reducer.reduceToHeap(job, { slab, byteOffset: dstOffset });
  } finally {
    delete (runner as { encode?: unknown }).encode;
  }

  const want = referenceReduce(c.dtype, c.op, inputs);
  for (let i = 0; i < c.count; i++) {
    const g = readBits(view, dstOffset + i * bpe, c.dtype);
    const w = oracleBits(c.dtype, want[i]);
    check(g === w, `${what}: element ${i} has bits 0x${g.toString(16)}, the oracle 0x${w.toString(16)} ` +
      `(inputs ${inputs.map((b) => b[i]).join(", ")})`);
  }
  const dstEnd = dstOffset + c.count * bpe;
  for (let b = 0; b < bytes.length; b++) {
    if (b >= dstOffset && b < dstEnd) continue;
    check(bytes[b] === before[b], `${what}: heap byte ${b} outside the result changed (${before[b]} → ${bytes[b]})`);
  }

  check(encodes.length >= 3, `${what}: ${encodes.length} runner encodes under a ${CHUNK_BINDING_LIMIT}-byte binding limit, expected chunks (≥ 3)`);
  const align = device.limits.minStorageBufferOffsetAlignment;
  let next = 0;
  for (const [k, calls] of encodes.entries()) {
    check(calls.length >= 1, `${what}: chunk ${k} encoded no calls`);
    for (const bindings of calls) {
      for (const b of bindings) {
        check((b.size ?? Infinity) <= CHUNK_BINDING_LIMIT,
          `${what}: chunk ${k} binds ${b.size ?? "a whole buffer"} bytes, over the ${CHUNK_BINDING_LIMIT}-byte limit`);
        check((b.offset ?? 0) % align === 0, `${what}: chunk ${k} binds at offset ${b.offset}, not a multiple of ${align}`);
      }
    }
    const dst = calls[0][1];
    check((dst.offset ?? 0) === next, `${what}: chunk ${k} writes dst from byte ${dst.offset}, expected ${next}`);
    next = (dst.offset ?? 0) + (dst.size ?? 0);
  }
  check(next === alignUp(c.count * bpe, 4), `${what}: the chunks wrote ${next} dst bytes, expected ${alignUp(c.count * bpe, 4)}`);
  return encodes.length;
}

/** A byte pattern no two offsets share within 256 bytes. */
const patternByte = (i: number) => (i * 7 + (i >> 8) * 13 + 3) & 0xff;

/**
 * StagingRing: `reads` readbacks in flight at once, all of one size class; every one is checked
 * against the source bytes. Returns nothing; throws on the first wrong byte.
 */
async function concurrentReads(ring: StagingRing, src: GPUBuffer, reads: readonly { bytes: number; srcOffset: number }[], what: string): Promise<void> {
  const got = await Promise.all(reads.map((r) => ring.read(src, r.bytes, (mapped) => mapped.slice(), { srcOffset: r.srcOffset })));
  got.forEach((g, k) => {
    const { bytes, srcOffset } = reads[k];
    check(g.length === bytes, `${what}: read ${k} gave ${g.length} bytes, expected ${bytes}`);
    const i = g.findIndex((v, j) => v !== patternByte(srcOffset + j));
    check(i < 0, `${what}: read ${k} (${bytes} bytes at ${srcOffset}) byte ${i} is ${g[i]}, expected ${patternByte(srcOffset + i)}`);
  });
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
    for (const [what, change, message] of bad) {
      expectOpError(what, () => encodeReduce(device, device.createCommandEncoder(), { ...base, ...change }), message);
    }
    return `${bad.length} bad argument sets refused with OpErrors`;
  },

  /**
   * The webgpu backend's plumbing on a real device: GpuReducer.reduceToHeap chunked (the program
   * runner encodes each chunk, the staging ring reads the result back in the last chunk's submit)
   * against referenceReduce bit for bit; then the staging ring with 5 readbacks of one size class
   * in flight, twice (the second round creates no buffer), a `use` that throws, a readback behind
   * an encoder's own commands, another size class, and a readback after destroy.
   */
  async chunkedReducerAndStagingRing(device) {
    const deviceLimit = device.limits.maxStorageBufferBindingSize;
    const restore = deviceLimit > CHUNK_BINDING_LIMIT ? shadowLimits(device, { maxStorageBufferBindingSize: CHUNK_BINDING_LIMIT }) : () => {};
    let chunks = 0;
    let jobs = 0;
    let elements = 0;
    let refused = 0;
    try {
      check(device.limits.maxStorageBufferBindingSize <= CHUNK_BINDING_LIMIT, "the binding limit is not in force");
      const reducer = new GpuReducer(device);
      let seed = 100;
      for (const c of HEAP_CASES) {
        const n = await checkChunkedReduce(device, reducer, c, seed++);
        if (n === 0) {
          refused++;
          continue;
        }
        chunks += n;
        jobs++;
        elements += c.count;
      }
    } finally {
      restore();
    }

    const CLASS = 4096;
    const src = device.createBuffer({
      label: "ring source", size: 4 * CLASS, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    new Uint8Array(src.getMappedRange()).set(Array.from({ length: 4 * CLASS }, (_, i) => patternByte(i)));
    src.unmap();
    const ring = new StagingRing(device);
    // 5 sizes of the 4096-byte class (3333 and 2049 copy 3336 and 2052 bytes), at 4-aligned offsets.
    const sizes = [4096, 4000, 3333, 2500, 2049];
    const round1 = sizes.map((bytes, k) => ({ bytes, srcOffset: [0, 256, 1028, 4096, 8188][k] }));
    const round2 = sizes.map((bytes, k) => ({ bytes, srcOffset: [12288, 8192, 4, 9000, 6000][k] }));
    check(sizes.every((b) => StagingRing.sizeClass(Math.ceil(b / 4) * 4) === CLASS), "the read sizes are not all in one class");

    await ring.read(src, 16, () => undefined, { srcOffset: 64 }); // first use of the 256-byte class
    const firstFill = ring.buffersCreated;
    check(firstFill >= 1 && firstFill <= RING_DEPTH, `the first readback created ${firstFill} staging buffers, expected 1..${RING_DEPTH}`);

    await concurrentReads(ring, src, round1, "round 1");
    const created = ring.buffersCreated - firstFill;
    check(created >= 1 && created <= Math.max(RING_DEPTH, sizes.length),
      `5 readbacks in flight created ${created} staging buffers, expected at most ${Math.max(RING_DEPTH, sizes.length)}`);
    check(ring.freeCount(CLASS) === created, `after round 1, ${ring.freeCount(CLASS)} of ${created} buffers are back in the ring`);
    await concurrentReads(ring, src, round2, "round 2");
    check(ring.buffersCreated === firstFill + created, `round 2 created ${ring.buffersCreated - firstFill - created} more staging buffers (expected reuse)`);
    check(ring.freeCount(CLASS) === created, `after round 2, ${ring.freeCount(CLASS)} of ${created} buffers are back in the ring`);

    // A `use` that throws still unmaps and returns its buffer (the next readbacks map it again).
    const boom = await ring.read(src, 3000, () => {
      throw new Error("boom");
    }).then(() => undefined, (e: unknown) => e);
    check(boom instanceof Error && boom.message === "boom", `a throwing use: expected its error, got ${String(boom)}`);
    check(ring.freeCount(CLASS) === created, `after a throwing use, ${ring.freeCount(CLASS)} of ${created} buffers are back`);
    await concurrentReads(ring, src, round1, "round 3");
    check(ring.buffersCreated === firstFill + created, "round 3 created staging buffers");

    // The readback's copy runs after the encoder's own commands, in the same submit.
    const encoder = device.createCommandEncoder({ label: "before the readback" });
    encoder.clearBuffer(src, 0, 512);
    const cleared = await ring.read(src, 1024, (m) => m.slice(), { encoder });
    check(cleared.subarray(0, 512).every((b) => b === 0), "the readback ran before the encoder's clearBuffer");
    check(cleared.subarray(512).every((b, j) => b === patternByte(512 + j)), "the readback after clearBuffer has wrong bytes past 512");

    const before = ring.buffersCreated;
    await ring.read(src, 100, () => undefined);
    check(ring.buffersCreated === before, "a 100-byte read did not reuse the 256-byte class");
    await ring.read(src, 8192, () => undefined);
    check(ring.buffersCreated > before && ring.freeCount(CLASS) === created, "a 8192-byte read did not get its own class");

    ring.destroy();
    await expectRejection("read after destroy", ring.read(src, 16, () => undefined), /used after its device's resources were released/);

    return `${jobs} reduceToHeap jobs in ${chunks} chunks under a ${CHUNK_BINDING_LIMIT}-byte binding limit` +
      (deviceLimit > CHUNK_BINDING_LIMIT ? ` (shadowed over the device's ${deviceLimit})` : "") +
      `, ${elements} elements bitwise equal to the oracle` + (refused > 0 ? `, float16 refused` : "") +
      `; staging ring: 5 readbacks in flight × 3 rounds from ${created} buffers of the ${CLASS}-byte class ` +
      `(the first readback of a class created ${firstFill}), reused`;
  },
};
