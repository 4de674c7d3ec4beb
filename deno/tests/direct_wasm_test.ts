// Deno tests: the direct WebAssembly kernels (src/core/wasm/direct-wasm.ts), which read heap
// slabs that are shared WebAssembly.Memory objects in place (multi-memory: Deno has it, Node 20
// does not, so these run here). Bit for bit against referenceReduce (NaN as NaN), every
// (dtype, op) they cover, 1–16 sources in distinct memories or sharing one, counts around the
// block and chunk boundaries (the tail below a block goes through the copy path), several
// destinations (sources among them, as the symmetric in-place all-reduce writes), and the
// launch: a world's slabs are such memories on every rank.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import { CpuReducer } from "../../src/backends/cpu/cpu-reducer.ts";
import { typedView } from "../../src/core/dtype.ts";
import { referenceReduce } from "../../src/core/reduce-math.ts";
import type { HeapRegion } from "../../src/core/reducer.ts";
import {
  directReduce, directSupported, heapMemory, isHeapMemory, loadDirectKernels, registerHeapMemory,
} from "../../src/core/wasm/direct-wasm.ts";
import { DIRECT_MAX_SOURCES } from "../../src/core/wasm/direct.generated.ts";
import { bitsOf, canonical, KERNELS, size, slab, values } from "../../test/fixtures/wasm-values.ts";
import { launch } from "../../src/index.ts";

const reducer = new CpuReducer();
const PAGE = 65536;

/** A registered heap memory of at least `bytes`. */
function memoryBuffer(bytes: number): SharedArrayBuffer {
  const m = heapMemory(Math.ceil(bytes / PAGE) * PAGE);
  assert(m !== undefined, "heapMemory must give a memory on Deno");
  return registerHeapMemory(m);
}

/** Each source in a memory of its own (`shared`: all in one memory), at a different offset in each. */
function regions(dtype: Parameters<typeof slab>[0], inputs: number[][], shared: boolean): HeapRegion[] {
  if (shared) return slab(dtype, inputs, memoryBuffer);
  return inputs.map((a, k) => slab(dtype, [new Array(k * 3).fill(0), a], memoryBuffer)[1]);
}

Deno.test("direct kernels: Deno has multi-memory, and they load", async () => {
  assert(directSupported(), "WebAssembly multi-memory with shared memories and SIMD must validate on Deno");
  assert(await loadDirectKernels(), "the direct kernels must decompress and compile");
  assertEquals(heapMemory(1000)?.buffer.byteLength, 65536, "whole 64 KiB pages");
});

for (const [dtype, ops] of KERNELS) {
  for (const op of ops) {
    Deno.test(`direct kernels: ${dtype} ${op} bit-identical to referenceReduce (NaN as NaN)`, async () => {
      await loadDirectKernels();
      const block = dtype === "bfloat16" ? 16 : 16; // elements per block: 64 B of 32-bit lanes, 32 B of bf16
      for (const n of [1, 2, 3, 5, 8, DIRECT_MAX_SOURCES]) {
        for (const count of [block - 1, block, block + 1, 1000, 8192 + 17, 3 * 8192 + 5]) {
          for (const shared of [false, true]) {
            const inputs = Array.from({ length: n }, (_, k) => values(dtype, count, 31 * k + count + n, dtype !== "int32"));
            const want = canonical(dtype, bitsOf(dtype, referenceReduce(dtype, op, inputs)));
            const srcs = regions(dtype, inputs, shared);
            const dst = slab(dtype, [new Array(count).fill(0)], memoryBuffer)[0];
            const label = `${n} sources${shared ? " in one memory" : ""}, ${count} elements`;
            const done = directReduce(dtype, op, srcs.map((r) => ({ buffer: r.slab, byteOffset: r.byteOffset })), count,
              [{ buffer: dst.slab, byteOffset: dst.byteOffset }]);
            assertEquals(done, Math.floor(count / block) * block, `${label}: the direct kernel did the whole blocks`);
            // ... and the reducer does the lot (direct blocks, copied tail)
            reducer.reduceToHeapsSync({ sources: srcs, count, dtype, op }, [dst]);
            assertEquals(canonical(dtype, bitsOf(dtype, typedView(dtype, dst.slab, dst.byteOffset, count))), want, label);
          }
        }
      }
    });
  }
}

Deno.test("direct kernels: every destination, sources among them (the symmetric in-place pattern)", async () => {
  await loadDirectKernels();
  for (const dtype of ["float32", "bfloat16", "int32"] as const) {
    const count = 8192 * 2 + 3;
    const inputs = [0, 1, 2, 3].map((k) => values(dtype, count, 5 + k));
    const want = bitsOf(dtype, referenceReduce(dtype, "sum", inputs));
    const srcs = regions(dtype, inputs, false);
    const other = slab(dtype, [new Array(count).fill(0)], memoryBuffer)[0];
    const plain = slab(dtype, [new Array(count).fill(0)])[0]; // a plain SharedArrayBuffer destination
    const dsts = [srcs[1], other, srcs[0], plain, srcs[3], srcs[2]];
    reducer.reduceToHeapsSync({ sources: srcs, count, dtype, op: "sum" }, dsts);
    for (const [j, d] of dsts.entries()) {
      assertEquals(bitsOf(dtype, typedView(dtype, d.slab, d.byteOffset, count)), want, `${dtype}, destination ${j}`);
    }
  }
});

Deno.test("direct kernels: not for buffers that are not registered memories", async () => {
  await loadDirectKernels();
  const [a, b] = slab("float32", [values("float32", 64, 1), values("float32", 64, 2)]);
  assertEquals(directReduce("float32", "sum", [{ buffer: a.slab, byteOffset: a.byteOffset }], 64, [{ buffer: b.slab, byteOffset: b.byteOffset }]), 0);
  assertEquals(isHeapMemory(a.slab), false);
  assertEquals(directReduce("float16", "sum", [], 64, []), 0);
});

Deno.test("launch: on Deno every rank's heap slabs are registered WebAssembly memories, the heap its own size", async () => {
  const heapBytes = (1 << 20) + 256; // not whole pages: the memory is longer, the heap is not
  const world = await launch({ worldSize: 2, heapBytes, backend: "cpu", rankModule: new URL("../../test/fixtures/direct-ranks.ts", import.meta.url) });
  try {
    assertEquals(world.wasmHeap, true);
    const all = await world.run<{ memories: boolean; capacity: number }[]>("slabsAreMemories");
    assertEquals(all, [{ memories: true, capacity: heapBytes }, { memories: true, capacity: heapBytes }]);
  } finally {
    await world.close();
  }
});

Deno.test("launch: wasmHeap false keeps plain SharedArrayBuffers", async () => {
  const world = await launch({ worldSize: 2, heapBytes: 1 << 20, backend: "cpu", wasmHeap: false, rankModule: new URL("../../test/fixtures/direct-ranks.ts", import.meta.url) });
  try {
    assertEquals(world.wasmHeap, false);
    const all = await world.run<{ memories: boolean; capacity: number }[]>("slabsAreMemories");
    assertEquals(all.map((a) => a.memories), [false, false]);
  } finally {
    await world.close();
  }
});
