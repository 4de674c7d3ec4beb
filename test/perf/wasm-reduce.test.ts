/**
 * The WebAssembly SIMD reduction kernels (src/core/wasm/) against the oracle, bit for bit: every
 * (dtype, op) they cover, 1–16 sources, counts around the block and chunk boundaries, special
 * values (±0, ±∞, subnormals, bf16 rounding ties, int32 wrap-around), several destinations at
 * once (one of them a source), and a destination overlapping a source at another offset.
 * NaN results must be NaN (WebAssembly leaves their payload unspecified, so only that is checked).
 */
import { describe, expect, it } from "vitest";
import { CpuReducer } from "../../src/backends/cpu/cpu-reducer.ts";
import { WASM_MIN_COUNT } from "../../src/core/host-reducer.ts";
import { referenceReduce } from "../../src/core/reduce-math.ts";
import { typedView } from "../../src/core/dtype.ts";
import { bitsOf, canonical, KERNELS, size, slab, values } from "../fixtures/wasm-values.ts";
import { WASM_CHUNK_ELEMS, wasmAvailable, wasmKernel } from "../../src/core/wasm/reduce-wasm.ts";

const reducer = new CpuReducer();

describe("WebAssembly SIMD reduction kernels", () => {
  it("are available in this runtime and cover float32, int32 and bfloat16", () => {
    expect(wasmAvailable()).toBe(true);
    for (const [dtype, ops] of KERNELS) for (const op of ops) expect(wasmKernel(dtype, op), `${dtype} ${op}`).toBeDefined();
    expect(wasmKernel("float16", "sum")).toBeUndefined();
  });

  const counts = [WASM_MIN_COUNT, WASM_MIN_COUNT + 1, 1000, WASM_CHUNK_ELEMS, WASM_CHUNK_ELEMS + 17, 3 * WASM_CHUNK_ELEMS + 5];
  for (const [dtype, ops] of KERNELS) {
    for (const op of ops) {
      it(`${dtype} ${op}: bit-identical to referenceReduce (NaN as NaN)`, async () => {
        for (const sources of [1, 2, 3, 5, 16]) {
          for (const count of sources === 16 ? [1000, WASM_CHUNK_ELEMS + 17] : counts) {
            const inputs = Array.from({ length: sources }, (_, k) => values(dtype, count, 31 * k + count + sources, dtype !== "int32"));
            const want = canonical(dtype, bitsOf(dtype, referenceReduce(dtype, op, inputs)));
            const regions = slab(dtype, inputs);
            const t = await reducer.reduceToTensor({ sources: regions, count, dtype, op }, [count]);
            expect(canonical(dtype, bitsOf(dtype, t.data)), `${sources} sources, ${count} elements`).toEqual(want);
          }
        }
      });
    }
  }

  it("writes every destination, in place over a source too, and copes with an overlapping one", () => {
    for (const dtype of ["float32", "bfloat16"] as const) {
      const count = WASM_CHUNK_ELEMS * 2 + 3;
      const inputs = [0, 1, 2].map((k) => values(dtype, count + 8, 5 + k));
      const want = bitsOf(dtype, referenceReduce(dtype, "sum", inputs.map((a) => a.slice(0, count))));
      const regions = slab(dtype, inputs);
      const other = slab(dtype, [new Array(count).fill(0)])[0];
      reducer.reduceToHeapsSync({ sources: regions, count, dtype, op: "sum" }, [regions[1], other, regions[2]]);
      for (const d of [regions[1], other, regions[2]]) {
        expect(bitsOf(dtype, typedView(dtype, d.slab, d.byteOffset, count))).toEqual(want);
      }
      // a destination 3 elements into source 1: reduced through a scratch buffer, still exact
      const fresh = slab(dtype, inputs);
      const shifted = { slab: fresh[1].slab, byteOffset: fresh[1].byteOffset + 3 * size(dtype) };
      reducer.reduceToHeapsSync({ sources: fresh, count, dtype, op: "sum" }, [shifted]);
      expect(bitsOf(dtype, typedView(dtype, shifted.slab, shifted.byteOffset, count))).toEqual(want);
    }
  });

  it("gives the same bits as the JS loops (engine: js) on finite data", () => {
    const js = new CpuReducer({ engine: "js" });
    for (const [dtype, ops] of KERNELS) {
      for (const op of ops) {
        const count = 5000;
        const regions = slab(dtype, [0, 1, 2, 3].map((k) => values(dtype, count, 77 + k)));
        const a = new Uint8Array(count * size(dtype));
        const b = new Uint8Array(count * size(dtype));
        js.reduceToHeapsSync({ sources: regions, count, dtype, op }, [{ slab: a.buffer as unknown as SharedArrayBuffer, byteOffset: 0 }]);
        reducer.reduceToHeapsSync({ sources: regions, count, dtype, op }, [{ slab: b.buffer as unknown as SharedArrayBuffer, byteOffset: 0 }]);
        expect(canonical(dtype, bitsOf(dtype, typedView(dtype, b.buffer, 0, count))), `${dtype} ${op}`)
          .toEqual(canonical(dtype, bitsOf(dtype, typedView(dtype, a.buffer, 0, count))));
      }
    }
  });
});
