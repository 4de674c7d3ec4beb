/**
 * Host reductions with WebAssembly SIMD (kernels: scripts/gen-wasm.mjs → reduce.generated.ts).
 *
 * Where the heap slabs are shared WebAssembly.Memory objects and WebAssembly has multi-memory,
 * the direct kernels (direct-wasm.ts) read them in place, and this driver reduces only what they
 * leave (a tail shorter than a block, or everything where they do not apply). This module's
 * instance imports no memory, so it cannot read the slabs; the driver streams chunks: each source's next chunk is copied into the
 * instance's own memory (TypedArray.set: memcpy speed, and the chunks stay in L1/L2), one kernel
 * call reduces all of them lane by lane in source order (4 vectors in registers, every source
 * loaded once), and the result chunk is copied out to every destination. Memory traffic to DRAM is
 * the same as a direct loop's (each source read once, each destination written once); the copies
 * in between hit the cache. test/perf/reduce-micro.ts measures it against the JS loops.
 *
 * Arithmetic is reduce-math.ts's: f32x4 ops round every step to binary32, i32x4 wraps, bf16
 * widens exactly and rounds back once to nearest even. Only NaN payloads may differ from the JS
 * loops (WebAssembly leaves them unspecified); every NaN stays a NaN.
 */
import type { CollectiveDType, ReduceOp } from "../reduce-op.ts";
import { directReduce } from "./direct-wasm.ts";
import { REDUCE_WASM_BASE64 } from "./reduce.generated.ts";

/** (dst, src, stride, nsrc, bytes), byte addresses in the instance's memory. */
type Kernel = (dst: number, src: number, stride: number, nsrc: number, bytes: number) => void;

interface Instance {
  readonly memory: WebAssembly.Memory;
  readonly kernels: Readonly<Record<string, Kernel>>;
}

/** A contiguous run of bytes in some buffer (a heap slab or a plain ArrayBuffer). */
export interface WasmSpan {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
}

/**
 * Elements per source per chunk: 8 Ki (32 KiB of f32) keeps 16 sources (512 KiB) within L2.
 * A prototype of this driver measured chunks of 1 Ki to 64 Ki elements within 20% of each other.
 */
export const WASM_CHUNK_ELEMS = 8192;

let instance: Instance | null | undefined;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The instance of this realm, or null where WebAssembly SIMD is unavailable (then JS loops run). */
function load(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly !== "object") return null;
    const bytes = decode(REDUCE_WASM_BASE64);
    // A runtime without SIMD rejects the module; the JS loops are the fallback.
    if (!WebAssembly.validate(bytes)) return null;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as Record<string, unknown>;
    const kernels: Record<string, Kernel> = {};
    for (const [name, fn] of Object.entries(exports)) if (typeof fn === "function") kernels[name] = fn as Kernel;
    instance = { memory: exports.memory as WebAssembly.Memory, kernels };
  } catch {
    instance = null;
  }
  return instance;
}

/** True when this realm can run the kernels (WebAssembly with SIMD). */
export function wasmAvailable(): boolean {
  return load() !== null;
}

const PREFIX: Partial<Record<CollectiveDType, string>> = { float32: "f32", int32: "i32", bfloat16: "bf16" };

/** The kernel for (dtype, op), or undefined (float16, int32 avg, no SIMD). */
export function wasmKernel(dtype: CollectiveDType, op: ReduceOp): Kernel | undefined {
  const prefix = PREFIX[dtype];
  return prefix === undefined ? undefined : load()?.kernels[`${prefix}_${op}`];
}

/** Bytes the kernel reduces per block: 4 vectors of 32-bit lanes, or 16 bf16 lanes. */
function blockBytes(dtype: CollectiveDType): number {
  return dtype === "bfloat16" ? 32 : 64;
}

let u8: Uint8Array | undefined;

/** A byte view of the instance's memory with at least `bytes` bytes (grows it when needed). */
function memoryBytes(inst: Instance, bytes: number): Uint8Array {
  const have = inst.memory.buffer.byteLength;
  if (have < bytes) inst.memory.grow(Math.ceil((bytes - have) / 65536));
  if (u8 === undefined || u8.buffer !== inst.memory.buffer) u8 = new Uint8Array(inst.memory.buffer);
  return u8;
}

/**
 * Reduces `count` elements of every source (in order) into every destination. Each chunk of every
 * source is read before that chunk of any destination is written, so a destination may BE a
 * source (same buffer and offset); one that overlaps a source at another offset may not.
 * Returns false, touching nothing, when no kernel fits (float16, no SIMD): use the JS loops.
 */
export function wasmReduce(
  dtype: CollectiveDType,
  op: ReduceOp,
  sources: readonly WasmSpan[],
  count: number,
  destinations: readonly WasmSpan[],
): boolean {
  const kernel = wasmKernel(dtype, op);
  const inst = load();
  if (kernel === undefined || inst === null || sources.length === 0) return false;
  const size = dtype === "bfloat16" ? 2 : 4;
  const done = directReduce(dtype, op, sources, count, destinations);
  if (done === count) return true;
  if (done > 0) {
    const shift = (s: WasmSpan): WasmSpan => ({ buffer: s.buffer, byteOffset: s.byteOffset + done * size });
    return wasmReduce(dtype, op, sources.map(shift), count - done, destinations.map(shift));
  }
  const block = blockBytes(dtype);
  const chunk = Math.min(count, WASM_CHUNK_ELEMS);
  const slot = Math.ceil((chunk * size) / block) * block;
  const nsrc = sources.length;
  const mem = memoryBytes(inst, nsrc * slot);
  for (let e = 0; e < count; e += chunk) {
    const n = Math.min(chunk, count - e);
    const bytes = n * size;
    for (let k = 0; k < nsrc; k++) {
      const s = sources[k];
      mem.set(new Uint8Array(s.buffer, s.byteOffset + e * size, bytes), k * slot);
    }
    kernel(0, 0, slot, nsrc, Math.ceil(bytes / block) * block);
    const result = mem.subarray(0, bytes);
    for (const d of destinations) new Uint8Array(d.buffer, d.byteOffset + e * size, bytes).set(result);
  }
  return true;
}
