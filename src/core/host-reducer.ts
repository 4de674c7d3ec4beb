/**
 * Host reduction of heap regions, with typed arrays over the slabs: the cpu backend's arithmetic
 * and the host pipeline's (webshmem::host_all_reduce_), whatever backend the tensor is on.
 * Same arithmetic as reduce-math.ts (the oracle), so results are bit-identical to it: sources in
 * order, f32 rounding at every step (a Float32Array store is Math.fround), f16/bf16 widened to
 * f32 and rounded back once at the end, int32 wrapping (an Int32Array store is ToInt32).
 * One tight loop per (element family, op), no per-element calls except the f16 narrowing.
 *
 * float32, int32 and bfloat16 over contiguous regions of at least WASM_MIN_COUNT elements go
 * through the WebAssembly SIMD kernels (src/core/wasm/reduce-wasm.ts), the same arithmetic; the JS
 * loops remain for float16, strided rows, small counts and runtimes without SIMD. Measured with
 * test/perf/reduce-micro.ts on this project's machine (2-core EPYC, Deno 2.9 / Node 20):
 * see WASM_MIN_COUNT.
 */
import { OpError } from "./errors.ts";
import { type AnyTypedArray, itemsize, typedView } from "./dtype.ts";
import { bf16ToF32, f16ToF32, f32ToF16, reduceEach } from "./reduce-math.ts";
import type { CollectiveDType, ReduceOp } from "./reduce-op.ts";
import type { HeapRegion, ReduceJob } from "./reducer.ts";
import { forEachRun, regionSpan, writeRegion } from "./region-span.ts";
import { smallArray } from "./small-arrays.ts";
import { wasmKernel, wasmReduce, type WasmSpan } from "./wasm/reduce-wasm.ts";

/** Which loops reduce: "auto" picks WebAssembly SIMD where it applies, "js" never does. */
export type ReductionEngine = "auto" | "js";

/**
 * Below this many elements the JS loops win: the WebAssembly path pays a fixed cost per source
 * (a view and a copy) that a few elements do not repay. test/perf/reduce-micro.ts on Deno, f32
 * sum: 64 elements 0.76× (2 sources) to 1.28× (8 sources); 256 elements 1.08× to 3.7×; from 4096
 * elements 2.2–5.4× (int32 and bfloat16, whose JS loops are slower: 3–23×).
 */
export const WASM_MIN_COUNT = 128;

type Acc = Float32Array | Int32Array;
type Src = Float32Array | Int32Array | Uint16Array;
/** acc[a .. a+n) ⊕= widen(src[s .. s+n)) */
type Step = (acc: Acc, a: number, src: Src, s: number, n: number) => void;

let f16Table: Float32Array | undefined;
let bf16Table: Float32Array | undefined;

/** Every f16 / bf16 bit pattern's f32 value: widening becomes one indexed load. */
function widenTable(dtype: "float16" | "bfloat16"): Float32Array {
  if (dtype === "float16") return (f16Table ??= Float32Array.from({ length: 65536 }, (_, b) => f16ToF32(b)));
  return (bf16Table ??= Float32Array.from({ length: 65536 }, (_, b) => bf16ToF32(b)));
}

function copyStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  acc.set(src.subarray(s, s + n), a);
}
function sumStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  for (let i = 0; i < n; i++) acc[a + i] += src[s + i];
}
function prodStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  for (let i = 0; i < n; i++) acc[a + i] *= src[s + i];
}
function imulStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  for (let i = 0; i < n; i++) acc[a + i] = Math.imul(acc[a + i], src[s + i]);
}
// Math.max/min propagate NaN, as reduce-math's float combiners do.
function maxStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  for (let i = 0; i < n; i++) acc[a + i] = Math.max(acc[a + i], src[s + i]);
}
function minStep(acc: Acc, a: number, src: Src, s: number, n: number): void {
  for (let i = 0; i < n; i++) acc[a + i] = Math.min(acc[a + i], src[s + i]);
}

function halfSteps(dtype: "float16" | "bfloat16"): { first: Step; ops: Record<ReduceOp, Step> } {
  const t = widenTable(dtype);
  const first: Step = (acc, a, src, s, n) => {
    for (let i = 0; i < n; i++) acc[a + i] = t[src[s + i]];
  };
  const sum: Step = (acc, a, src, s, n) => {
    for (let i = 0; i < n; i++) acc[a + i] += t[src[s + i]];
  };
  const prod: Step = (acc, a, src, s, n) => {
    for (let i = 0; i < n; i++) acc[a + i] *= t[src[s + i]];
  };
  const max: Step = (acc, a, src, s, n) => {
    for (let i = 0; i < n; i++) acc[a + i] = Math.max(acc[a + i], t[src[s + i]]);
  };
  const min: Step = (acc, a, src, s, n) => {
    for (let i = 0; i < n; i++) acc[a + i] = Math.min(acc[a + i], t[src[s + i]]);
  };
  return { first, ops: { sum, avg: sum, prod, max, min } };
}

const FLOAT_STEPS: Record<ReduceOp, Step> = { sum: sumStep, avg: sumStep, prod: prodStep, max: maxStep, min: minStep };
const INT_STEPS: Record<ReduceOp, Step> = { sum: sumStep, avg: sumStep, prod: imulStep, max: maxStep, min: minStep };

function stepsFor(dtype: CollectiveDType): { first: Step; ops: Record<ReduceOp, Step> } {
  if (dtype === "float32") return { first: copyStep, ops: FLOAT_STEPS };
  if (dtype === "int32") return { first: copyStep, ops: INT_STEPS };
  return halfSteps(dtype);
}

export function checkJob(job: ReduceJob): void {
  if (!Number.isInteger(job.count) || job.count < 0) {
    throw new OpError(`host reducer: count must be a non-negative integer, found ${job.count}`);
  }
  if (job.sources.length === 0) throw new OpError("host reducer: a reduction needs at least one source, found none");
  for (const s of job.sources) {
    if (s.rowLength !== undefined && (s.rowLength <= 0 || job.count % s.rowLength !== 0)) {
      throw new OpError(`host reducer: ${job.count} elements are not whole rows of ${s.rowLength}`);
    }
  }
}

function sourceView(dtype: CollectiveDType, region: HeapRegion, count: number): Src {
  return typedView(dtype, region.slab, region.byteOffset, regionSpan(region, count)) as Src;
}

/** Reduces the job into `acc` (f32 for floats, i32 for int32), avg's division included. */
function accumulate(job: ReduceJob, acc: Acc): void {
  const { first, ops } = stepsFor(job.dtype);
  const step = ops[job.op];
  job.sources.forEach((region, k) => {
    const src = sourceView(job.dtype, region, job.count);
    const f = k === 0 ? first : step;
    forEachRun(region, job.count, (from, to, n) => f(acc, to, src, from, n));
  });
  if (job.op === "avg") {
    const n = job.sources.length;
    for (let i = 0; i < acc.length; i++) acc[i] /= n;
  }
}

/** f32 → bf16 bits, round to nearest even, NaN stays quiet: f32ToBf16 inlined over a u32 view. */
function narrowBf16(acc: Float32Array, out: Uint16Array): void {
  const bits = new Uint32Array(acc.buffer, acc.byteOffset, acc.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    out[i] = (x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0
      ? ((x >>> 16) | 0x0040) & 0xffff
      : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
}

function narrowHalf(dtype: "float16" | "bfloat16", acc: Float32Array, out: Uint16Array): void {
  if (dtype === "bfloat16") narrowBf16(acc, out);
  else for (let i = 0; i < acc.length; i++) out[i] = f32ToF16(acc[i]);
}

function overlaps(a: HeapRegion, aBytes: number, b: HeapRegion, bBytes: number): boolean {
  return a.slab === b.slab && a.byteOffset < b.byteOffset + bBytes && b.byteOffset < a.byteOffset + aBytes;
}

function contiguous(region: HeapRegion): boolean {
  return region.rowLength === undefined || (region.rowStride ?? region.rowLength) === region.rowLength;
}

/** Whether the WebAssembly kernels take this job (they need contiguous sources). */
function wasmTakes(job: ReduceJob, engine: ReductionEngine): boolean {
  return engine === "auto" && job.count >= WASM_MIN_COUNT && job.sources.every(contiguous) &&
    wasmKernel(job.dtype, job.op) !== undefined;
}

/**
 * Destinations are safe for the chunked WebAssembly path when none overlaps a source except
 * exactly (same slab, same offset, whole span): each chunk is read in full before it is written.
 */
function chunkSafe(job: ReduceJob, dsts: readonly HeapRegion[]): boolean {
  const size = itemsize(job.dtype);
  const bytes = job.count * size;
  return dsts.every((d) => job.sources.every((s) => {
    const span = regionSpan(s, job.count) * size;
    if (!overlaps(s, span, d, bytes)) return true;
    return s.slab === d.slab && s.byteOffset === d.byteOffset && span === bytes;
  }));
}

function spanOf(region: HeapRegion): WasmSpan {
  return { buffer: region.slab, byteOffset: region.byteOffset };
}

/** Reduces with the WebAssembly kernels into every destination (through a scratch one if unsafe). */
function reduceWasm(job: ReduceJob, outs: readonly WasmSpan[], dsts: readonly HeapRegion[]): void {
  const sources = job.sources.map(spanOf);
  if (dsts.length === 0 || chunkSafe(job, dsts)) {
    wasmReduce(job.dtype, job.op, sources, job.count, outs);
    return;
  }
  const bytes = job.count * itemsize(job.dtype);
  const scratch = new ArrayBuffer(bytes);
  wasmReduce(job.dtype, job.op, sources, job.count, [{ buffer: scratch, byteOffset: 0 }]);
  for (const o of outs) new Uint8Array(o.buffer, o.byteOffset, bytes).set(new Uint8Array(scratch));
}

/** Reduces straight into `out` when that is safe, else through a scratch accumulator. */
function reduceInto(
  job: ReduceJob, out: Float32Array | Int32Array | Uint16Array, dst: HeapRegion | undefined, engine: ReductionEngine,
): void {
  if (job.count === 0) return;
  if (wasmTakes(job, engine)) {
    reduceWasm(job, [{ buffer: out.buffer, byteOffset: out.byteOffset }], dst === undefined ? [] : [dst]);
    return;
  }
  const { dtype } = job;
  if (dtype === "float16" || dtype === "bfloat16") {
    const acc = new Float32Array(job.count);
    accumulate(job, acc);
    narrowHalf(dtype, acc, out as Uint16Array);
    return;
  }
  // In place is safe when dst is exactly source 0 (its first step is then a no-op copy) and no
  // other source shares its bytes: every element is read before it is written.
  const size = out.BYTES_PER_ELEMENT;
  const clash = dst !== undefined && job.sources.some((s, k) => {
    if (!overlaps(s, regionSpan(s, job.count) * size, dst, job.count * size)) return false;
    return !(k === 0 && s.slab === dst.slab && s.byteOffset === dst.byteOffset && regionSpan(s, job.count) === job.count);
  });
  if (!clash) {
    accumulate(job, out as Acc);
    return;
  }
  const acc = dtype === "int32" ? new Int32Array(job.count) : new Float32Array(job.count);
  accumulate(job, acc);
  out.set(acc);
}

export class HostReducer {
  /** `engine: "js"` keeps the JS loops everywhere (for benchmarks and tests of both paths). */
  constructor(private readonly options: { readonly engine?: ReductionEngine } = {}) {}

  get engine(): ReductionEngine {
    return this.options.engine ?? "auto";
  }

  async reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void> {
    this.reduceToHeapsSync(job, [dst]);
  }

  /**
   * Writes the result into every destination (contiguous, each may be one of the sources; or
   * strided rows, which must not overlap a source):
   * with the WebAssembly path each chunk is reduced once and copied to all of them while it is
   * still in cache, which is what a reduce-scatter + all-gather over the heap wants.
   */
  reduceToHeapsSync(job: ReduceJob, dsts: readonly HeapRegion[]): void {
    checkJob(job);
    for (const dst of dsts) {
      if (dst.rowLength !== undefined && (dst.rowLength <= 0 || job.count % dst.rowLength !== 0)) {
        throw new OpError(`host reducer: ${job.count} elements are not whole destination rows of ${dst.rowLength}`);
      }
    }
    if (job.count === 0 || dsts.length === 0) return;
    if (!dsts.every(contiguous)) {
      // Strided rows (a tile): reduce packed, then write each row; the sources are all read first.
      const packed = this.reduceToArray(job);
      const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
      for (const dst of dsts) writeRegion(dst, bytes, job.count, itemsize(job.dtype));
      return;
    }
    if (wasmTakes(job, this.engine)) {
      reduceWasm(job, dsts.map(spanOf), dsts);
      return;
    }
    const first = dsts[0];
    const view = (d: HeapRegion) => typedView(job.dtype, d.slab, d.byteOffset, job.count) as Float32Array;
    reduceInto(job, view(first), first, "js");
    if (dsts.length > 1) {
      const bytes = new Uint8Array(first.slab, first.byteOffset, job.count * itemsize(job.dtype));
      for (let i = 1; i < dsts.length; i++) new Uint8Array(dsts[i].slab, dsts[i].byteOffset, bytes.length).set(bytes);
    }
  }

  /** The result in a new host array (small ones share a chunk: small-arrays.ts). */
  reduceToArray(job: ReduceJob): AnyTypedArray {
    checkJob(job);
    const out = smallArray(job.dtype, job.count);
    reduceInto(job, out as Float32Array, undefined, this.engine);
    return out;
  }

  /**
   * A few elements with the oracle's own arithmetic over typed views made once by the caller,
   * into every destination: for a handful of elements a job's fixed costs (views, checks) are
   * what matters (8 bytes, 2 ranks, Deno: 6.7 µs through reduceToHeapsSync, 3.3 µs this way).
   */
  reduceSmall(
    dtype: CollectiveDType, op: ReduceOp, count: number, sources: readonly ArrayLike<number>[],
    dsts: readonly (Float32Array | Int32Array | Uint16Array)[],
  ): void {
    reduceEach(dtype, op, sources, count, (i, v) => {
      for (const d of dsts) d[i] = v;
    });
  }
}

/** One per realm: the reducer holds no per-rank state. */
export const hostReducer = new HostReducer();
