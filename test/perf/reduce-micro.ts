/**
 * Micro-benchmark of the host reduction: the cpu reducer's JS loops against its WebAssembly SIMD
 * path (copy chunks into the instance's memory, reduce there, copy out), over SharedArrayBuffer
 * regions, one thread, and, where the runtime has multi-memory (Deno, Chromium), the direct kernels
 * over regions in registered WebAssembly memories (as the launch makes the heap slabs). Not a test (no assertions on time); run it by hand:
 *
 *   npx deno run -A --no-check test/perf/reduce-micro.ts [--quick]
 *   npx tsx test/perf/reduce-micro.ts [--quick]
 *
 * Prints one line per (dtype, op, sources, elements): time per call and the input bandwidth
 * (sources × bytes / time) of each engine, and the speed-up of the WebAssembly path.
 */
import { CpuReducer } from "../../src/backends/cpu/cpu-reducer.ts";
import type { CollectiveDType, ReduceOp } from "../../src/core/reduce-op.ts";
import type { HeapRegion, ReduceJob } from "../../src/core/reducer.ts";
import { itemsize, typedView } from "../../src/core/dtype.ts";
import { wasmAvailable } from "../../src/core/wasm/reduce-wasm.ts";
import { heapMemory, loadDirectKernels, registerHeapMemory } from "../../src/core/wasm/direct-wasm.ts";

const argv: readonly string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
const quick = argv.includes("--quick");

const js = new CpuReducer({ engine: "js" });
const auto = new CpuReducer();

const direct = await loadDirectKernels();

function memorySlab(bytes: number): SharedArrayBuffer | undefined {
  const m = heapMemory(Math.ceil(bytes / 65536) * 65536);
  return m === undefined ? undefined : registerHeapMemory(m);
}

function setup(dtype: CollectiveDType, nsrc: number, count: number, inMemory = false) {
  const size = itemsize(dtype);
  const slot = Math.ceil((count * size) / 256) * 256 + 256;
  const slab = (inMemory ? memorySlab(slot * (nsrc + 1)) : undefined) ?? new SharedArrayBuffer(slot * (nsrc + 1));
  const u32 = new Uint32Array(slab);
  for (let i = 0; i < u32.length; i++) u32[i] = (Math.imul(i, 0x9e3779b1) & 0x3f7fffff) | 0x3e000000; // finite floats
  const sources: HeapRegion[] = Array.from({ length: nsrc }, (_, k) => ({ slab, byteOffset: k * slot }));
  const dst: HeapRegion = { slab, byteOffset: nsrc * slot };
  return { sources, dst };
}

function time(fn: () => void): number {
  const target = quick ? 20 : 100; // ms per measurement, after a warm-up
  for (let i = 0; i < 3; i++) fn();
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= target) return ms / iters;
    iters = Math.max(iters * 2, Math.ceil((iters * target * 1.2) / Math.max(ms, 0.01)));
  }
}

function line(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 9 : 11)).join(" ");
}

const runtime = (globalThis as { Deno?: unknown }).Deno !== undefined ? "deno" : "node";
console.log(`# reduce micro-benchmark, ${runtime}, WebAssembly SIMD ${wasmAvailable() ? "available" : "UNAVAILABLE"}`);
console.log(`# direct kernels (heap slabs as WebAssembly memories) ${direct ? "available" : "UNAVAILABLE: the direct columns repeat the copy path"}`);
console.log(line(["dtype", "op", "sources", "elements", "js us", "js GB/s", "wasm us", "wasm GB/s", "speed-up", "direct us", "direct GB/s", "÷ wasm"]));

const dtypes: CollectiveDType[] = ["float32", "int32", "bfloat16"];
const ops: ReduceOp[] = quick ? ["sum"] : ["sum", "max"];
const sourceCounts = quick ? [2, 4] : [2, 4, 8];
const counts = quick ? [2, 64, 1 << 20] : [2, 16, 64, 256, 4096, 1 << 16, 1 << 20, 1 << 21, 1 << 23];

for (const dtype of dtypes) {
  for (const op of ops) {
    for (const nsrc of sourceCounts) {
      for (const count of counts) {
        const { sources, dst } = setup(dtype, nsrc, count);
        const job: ReduceJob = { sources, count, dtype, op };
        const bytes = nsrc * count * itemsize(dtype);
        const tJs = time(() => js.reduceToHeapsSync(job, [dst]));
        const want = new Uint8Array(typedView("uint8", dst.slab, dst.byteOffset, count * itemsize(dtype))).slice();
        const tWasm = time(() => auto.reduceToHeapsSync(job, [dst]));
        const got = typedView("uint8", dst.slab, dst.byteOffset, count * itemsize(dtype));
        let same = true;
        for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) same = false;
        const m = setup(dtype, nsrc, count, true);
        for (const [k, r] of m.sources.entries()) typedView("uint8", r.slab, r.byteOffset, count * itemsize(dtype)).set(typedView("uint8", sources[k].slab, sources[k].byteOffset, count * itemsize(dtype)));
        const tDirect = time(() => auto.reduceToHeapsSync({ ...job, sources: m.sources }, [m.dst]));
        const gotDirect = typedView("uint8", m.dst.slab, m.dst.byteOffset, count * itemsize(dtype));
        for (let i = 0; i < gotDirect.length; i++) if (gotDirect[i] !== want[i]) same = false;
        const gb = (ms: number) => (bytes / ms / 1e6).toFixed(2);
        console.log(line([dtype, op, nsrc, count, (tJs * 1e3).toFixed(2), gb(tJs), (tWasm * 1e3).toFixed(2), gb(tWasm),
          `${(tJs / tWasm).toFixed(2)}x${same ? "" : " DIFFERENT BITS"}`, (tDirect * 1e3).toFixed(2), gb(tDirect), `${(tWasm / tDirect).toFixed(2)}x`]));
      }
    }
  }
}
