/**
 * Host reductions that read the heap in place: where WebAssembly has multi-memory, each rank's
 * heap slab is a shared `WebAssembly.Memory` (made by `heapMemory`, registered on every thread
 * that holds it by `registerHeapMemory`), and a kernel instance imports the sources' and the
 * destination's memories, so it loads every source where it lies and stores the result straight
 * into the destination. The copy-through path of reduce-wasm.ts copies every source chunk into
 * its own memory first and the result out after: at 2 × 4 MiB f32 on Deno, 0.75 ms against
 * 0.44 ms this way (the prototype of 2026-12-04; test/perf/reduce-micro.ts times both).
 *
 * Kernels: scripts/wasm-direct.mjs (one module per source count, 1..DIRECT_MAX_SOURCES, the
 * sources unrolled because a load's memory is an immediate), shipped gzip-compressed and
 * compiled asynchronously when the first memory is registered; until then, and for anything the
 * kernels do not cover (float16, int32 avg, more sources, buffers that are not registered
 * memories, no multi-memory: Node 20), callers take the copy-through path. Same arithmetic, so
 * the same bits either way.
 */
import type { CollectiveDType, ReduceOp } from "../reduce-op.ts";
import { DIRECT_MAX_SOURCES, DIRECT_PROBE_BASE64, DIRECT_WASM_GZIP_BASE64 } from "./direct.generated.ts";

/** A contiguous run of bytes in some buffer (as reduce-wasm.ts's WasmSpan). */
export interface DirectSpan {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
}

type Kernel = (...args: number[]) => void;

const PAGE = 65536;
/** wasm32: at most 65536 pages (4 GiB) per memory. */
const MAX_PAGES = 65536;
/** Elements per kernel call when the result goes to more than one destination: the chunk is copied on while in cache. */
const CHUNK_BYTES = 32 * 1024;
const PREFIX: Partial<Record<CollectiveDType, string>> = { float32: "f32", int32: "i32", bfloat16: "bf16" };

const memoryOf = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();
const idOf = new WeakMap<WebAssembly.Memory, number>();
let nextId = 0;
let supported: boolean | undefined;
let modules: WebAssembly.Module[] | undefined;
let loading: Promise<boolean> | undefined;
let failed = false;
/** Per destination memory: per "source ids/kernel", the kernel of an instance over those memories. */
const kernels = new WeakMap<WebAssembly.Memory, Map<string, Kernel | null>>();

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether this runtime can run the direct kernels: multi-memory, shared memories, SIMD. */
export function directSupported(): boolean {
  if (supported !== undefined) return supported;
  try {
    supported = typeof WebAssembly === "object" && typeof DecompressionStream === "function" &&
      WebAssembly.validate(decode(DIRECT_PROBE_BASE64));
  } catch {
    supported = false;
  }
  return supported;
}

/**
 * A shared memory of at least `bytes` (whole 64 KiB pages) for one rank's heap slab, or undefined
 * where the direct kernels cannot use it (no support, above 4 GiB, or the allocation failed): the
 * caller then makes a plain SharedArrayBuffer. Its buffer may be longer than `bytes`: the heap
 * uses the first `bytes` (HeapInit.heapBytes).
 */
export function heapMemory(bytes: number): WebAssembly.Memory | undefined {
  const pages = Math.ceil(bytes / PAGE);
  if (!directSupported() || bytes <= 0 || pages > MAX_PAGES) return undefined;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined;
  }
}

/** `count` slabs as heapMemory makes them, or undefined unless every one could be made. */
export function heapMemories(count: number, bytes: number): WebAssembly.Memory[] | undefined {
  const out: WebAssembly.Memory[] = [];
  for (let i = 0; i < count; i++) {
    const m = heapMemory(bytes);
    if (m === undefined) return undefined;
    out.push(m);
  }
  return out;
}

/** Makes `memory`'s buffer known to the direct kernels on this thread; returns that buffer (the slab to use). */
export function registerHeapMemory(memory: WebAssembly.Memory): SharedArrayBuffer {
  const buffer = memory.buffer as unknown as SharedArrayBuffer;
  memoryOf.set(buffer, memory);
  if (!idOf.has(memory)) idOf.set(memory, nextId++);
  void loadDirectKernels();
  return buffer;
}

/** Whether `buffer` is a registered heap memory's. */
export function isHeapMemory(buffer: ArrayBufferLike): boolean {
  return memoryOf.has(buffer);
}

/** Decompresses and compiles the kernels (once); resolves to whether they are ready. */
export function loadDirectKernels(): Promise<boolean> {
  if (loading !== undefined) return loading;
  if (!directSupported()) return (loading = Promise.resolve(false));
  loading = (async () => {
    try {
      const stream = new Blob([decode(DIRECT_WASM_GZIP_BASE64)]).stream().pipeThrough(new DecompressionStream("gzip"));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      const view = new DataView(bytes.buffer);
      const count = view.getUint32(0, true);
      let at = 4 * (1 + count);
      const list: Promise<WebAssembly.Module>[] = [];
      for (let k = 0; k < count; k++) {
        const length = view.getUint32(4 * (1 + k), true);
        list.push(WebAssembly.compile(bytes.slice(at, at + length)));
        at += length;
      }
      modules = await Promise.all(list);
      return true;
    } catch {
      failed = true;
      return false;
    }
  })();
  return loading;
}

function kernelFor(name: string, sources: readonly WebAssembly.Memory[], dst: WebAssembly.Memory): Kernel | undefined {
  const module = modules?.[sources.length - 1];
  if (module === undefined) return undefined;
  let byKey = kernels.get(dst);
  if (byKey === undefined) kernels.set(dst, (byKey = new Map()));
  const key = `${sources.map((m) => idOf.get(m)).join(",")}/${name}`;
  const cached = byKey.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let kernel: Kernel | null = null;
  try {
    const m: Record<string, WebAssembly.Memory> = { d: dst };
    sources.forEach((s, k) => (m[`s${k}`] = s));
    // One instance per (memories, kernel name) would be wasteful: cache every kernel of the instance.
    const exports = new WebAssembly.Instance(module, { m }).exports as Record<string, unknown>;
    for (const [n, fn] of Object.entries(exports)) {
      if (typeof fn === "function") byKey.set(`${sources.map((s) => idOf.get(s)).join(",")}/${n}`, fn as Kernel);
    }
    kernel = (exports[name] as Kernel | undefined) ?? null;
  } catch {
    kernel = null; // e.g. a main thread that refuses synchronous instantiation: the copy-through path runs
  }
  byKey.set(key, kernel);
  return kernel ?? undefined;
}

/**
 * Reduces the leading whole blocks of `count` elements of every source (in order) into every
 * destination, reading and writing the registered heap memories in place. Returns how many
 * elements it did (a multiple of the kernel's block; 0 when it does not apply): the caller
 * reduces the rest. Each chunk of every source is read before that chunk of any destination is
 * written, so a destination may BE a source (same buffer, same offset).
 */
export function directReduce(
  dtype: CollectiveDType, op: ReduceOp, sources: readonly DirectSpan[], count: number, dsts: readonly DirectSpan[],
): number {
  if (modules === undefined || failed || dsts.length === 0) return 0;
  const n = sources.length;
  const prefix = PREFIX[dtype];
  if (prefix === undefined || n === 0 || n > DIRECT_MAX_SOURCES || (dtype === "int32" && op === "avg")) return 0;
  const size = dtype === "bfloat16" ? 2 : 4;
  const block = dtype === "bfloat16" ? 32 : 64;
  const whole = Math.floor((count * size) / block) * block;
  if (whole === 0) return 0;
  const srcMems: WebAssembly.Memory[] = [];
  for (const s of sources) {
    const m = memoryOf.get(s.buffer);
    if (m === undefined) return 0;
    srcMems.push(m);
  }
  const dst0 = memoryOf.get(dsts[0].buffer);
  if (dst0 === undefined) return 0;
  const kernel = kernelFor(`${prefix}_${op}`, srcMems, dst0);
  if (kernel === undefined) return 0;
  const args = new Array<number>(n + 2);
  const step = dsts.length === 1 ? whole : CHUNK_BYTES;
  for (let e = 0; e < whole; e += step) {
    const bytes = Math.min(step, whole - e);
    args[0] = dsts[0].byteOffset + e;
    for (let k = 0; k < n; k++) args[k + 1] = sources[k].byteOffset + e;
    args[n + 1] = bytes;
    kernel(...args);
    if (dsts.length > 1) {
      const result = new Uint8Array(dsts[0].buffer, dsts[0].byteOffset + e, bytes);
      for (let j = 1; j < dsts.length; j++) new Uint8Array(dsts[j].buffer, dsts[j].byteOffset + e, bytes).set(result);
    }
  }
  return whole / size;
}
