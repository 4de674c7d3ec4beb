import { describe, expect, it } from "vitest";
import {
  COLLECTIVE_DTYPES, CpuReducer, CpuTensor, REDUCE_OPS, referenceReduce, type CollectiveDType, type HeapRegion,
  type ReduceOp,
} from "../../src/internal.ts";
import { f32ToBf16, f32ToF16 } from "../../src/core/reduce-math.ts";
import { typedView } from "../../src/core/dtype.ts";

const reducer = new CpuReducer();
const size = (d: CollectiveDType) => (d === "float16" || d === "bfloat16" ? 2 : 4);

/** Deterministic values: floats of mixed magnitude and sign (incl. -0 and tiny ones), any int32. */
function values(dtype: CollectiveDType, n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  return Array.from({ length: n }, (_, i) => {
    const u = next();
    if (dtype === "int32") return u | 0;
    const v = i === 3 ? -0 : ((u & 0xffff) / 0x8000 - 1) * 2 ** ((u >>> 16) % 24 - 12);
    return dtype === "float16" ? f32ToF16(v) : dtype === "bfloat16" ? f32ToBf16(v) : Math.fround(v);
  });
}

/** One slab holding `arrays` back to back at 256-byte boundaries; the regions of each. */
function slabOf(dtype: CollectiveDType, arrays: number[][], pad = 0) {
  const slab = new SharedArrayBuffer(arrays.reduce((a, x) => a + Math.ceil((x.length + pad) * size(dtype) / 256 + 1) * 256, 256));
  let at = 0;
  const regions: HeapRegion[] = arrays.map((x) => {
    typedView(dtype, slab, at, x.length).set(x);
    const r = { slab, byteOffset: at };
    at += Math.ceil((x.length + pad) * size(dtype) / 256 + 1) * 256;
    return r;
  });
  return { slab, regions };
}

const bits = (dtype: CollectiveDType, a: ArrayLike<number>) => {
  const t = typedView(dtype, new ArrayBuffer(a.length * size(dtype)), 0, a.length);
  t.set(a);
  return Array.from(new Uint8Array(t.buffer));
};

describe("CpuReducer", () => {
  for (const dtype of COLLECTIVE_DTYPES) {
    for (const op of REDUCE_OPS) {
      if (dtype === "int32" && op === "avg") continue;
      it(`${dtype} ${op}: bit-identical to referenceReduce, into a tensor and into the heap`, async () => {
        for (const [sources, n] of [[1, 5], [2, 33], [3, 1], [5, 257], [4, 0]] as const) {
          const inputs = Array.from({ length: sources }, (_, k) => values(dtype, n, 17 * k + n + 1));
          const want = referenceReduce(dtype, op, inputs);
          const { regions } = slabOf(dtype, inputs);
          const t = await reducer.reduceToTensor({ sources: regions, count: n, dtype, op }, [n]);
          expect(t).toBeInstanceOf(CpuTensor);
          expect(t.shape).toEqual([n]);
          expect(bits(dtype, t.data)).toEqual(bits(dtype, want));
          const dst = slabOf(dtype, [new Array(n).fill(0)]).regions[0];
          await reducer.reduceToHeap({ sources: regions, count: n, dtype, op }, dst);
          expect(bits(dtype, typedView(dtype, dst.slab, dst.byteOffset, n))).toEqual(bits(dtype, want));
        }
      });
    }
  }

  it("propagates NaN through max and min, as the oracle does", async () => {
    for (const op of ["max", "min"] as ReduceOp[]) {
      const { regions } = slabOf("float32", [[1, NaN, 3], [NaN, 2, 0]]);
      const t = await reducer.reduceToTensor({ sources: regions, count: 3, dtype: "float32", op }, [3]);
      expect(Array.from(t.data)).toEqual(referenceReduce("float32", op, [[1, NaN, 3], [NaN, 2, 0]]));
    }
  });

  it("rounds f32 to bf16 to nearest even, NaN stays a quiet NaN (inline narrowing = f32ToBf16)", async () => {
    // Two sources whose f32 sum lands exactly between two bf16 values, and on either side.
    const a = [0x3f80, 0x3f81, 0x7fc1, 0xff80, 0x0001];
    const b = [0x3380, 0x3380, 0x3f80, 0x3f80, 0x8001];
    const { regions } = slabOf("bfloat16", [a, b]);
    const t = await reducer.reduceToTensor({ sources: regions, count: 5, dtype: "bfloat16", op: "sum" }, [5]);
    expect(Array.from(t.data)).toEqual(referenceReduce("bfloat16", "sum", [a, b]));
  });

  for (const dtype of ["float32", "int32", "bfloat16"] as const) {
    it(`${dtype}: reduceToHeap may write over any of its sources, or overlap one`, async () => {
      const n = 70;
      const inputs = [0, 1, 2].map((k) => values(dtype, n, 99 + k));
      const want = bits(dtype, referenceReduce(dtype, "sum", inputs));
      for (const target of [0, 1, 2]) {
        const { regions } = slabOf(dtype, inputs);
        await reducer.reduceToHeap({ sources: regions, count: n, dtype, op: "sum" }, regions[target]);
        const r = regions[target];
        expect(bits(dtype, typedView(dtype, r.slab, r.byteOffset, n)), `dst = source ${target}`).toEqual(want);
      }
      // dst starts 3 elements into source 1: every element must still be read before it is written.
      const { regions } = slabOf(dtype, inputs, 8);
      const dst = { slab: regions[1].slab, byteOffset: regions[1].byteOffset + 3 * size(dtype) };
      await reducer.reduceToHeap({ sources: regions, count: n, dtype, op: "sum" }, dst);
      expect(bits(dtype, typedView(dtype, dst.slab, dst.byteOffset, n))).toEqual(want);
    });
  }

  it("reads strided sources (rows of rowLength, rowStride apart) in row order", async () => {
    // 3 sources of a [4, 6] tensor; take the chunk [.., 2:4] of every row.
    const full = [0, 1, 2].map((k) => Array.from({ length: 24 }, (_, i) => i * 10 + k));
    const { regions } = slabOf("int32", full);
    const sources = regions.map((r) => ({ ...r, byteOffset: r.byteOffset + 2 * 4, rowLength: 2, rowStride: 6 }));
    const t = await reducer.reduceToTensor({ sources, count: 8, dtype: "int32", op: "sum" }, [4, 2]);
    const chunk = (k: number) => [0, 1, 2, 3].flatMap((row) => [full[k][row * 6 + 2], full[k][row * 6 + 3]]);
    expect(Array.from(t.data)).toEqual(referenceReduce("int32", "sum", [chunk(0), chunk(1), chunk(2)]));
  });

  it("wraps int32 sums and products", async () => {
    const { regions } = slabOf("int32", [[0x7fffffff, 0x10000], [1, 0x10000]]);
    const sum = await reducer.reduceToTensor({ sources: regions, count: 2, dtype: "int32", op: "sum" }, [2]);
    const prod = await reducer.reduceToTensor({ sources: regions, count: 2, dtype: "int32", op: "prod" }, [2]);
    expect(Array.from(sum.data)).toEqual([-0x80000000, 0x20000]);
    expect(Array.from(prod.data)).toEqual([0x7fffffff, 0]);
  });

  it("refuses a shape that does not hold the result, and rows that do not divide the count", async () => {
    const { regions } = slabOf("float32", [[1, 2, 3]]);
    await expect(reducer.reduceToTensor({ sources: regions, count: 3, dtype: "float32", op: "sum" }, [2]))
      .rejects.toThrow(/shape \[2\] does not hold the 3 reduced elements/);
    await expect(reducer.reduceToTensor({ sources: [{ ...regions[0], rowLength: 2, rowStride: 4 }], count: 3, dtype: "float32", op: "sum" }, [3]))
      .rejects.toThrow(/3 elements are not whole rows of 2/);
    await expect(reducer.reduceToTensor({ sources: [], count: 3, dtype: "float32", op: "sum" }, [3]))
      .rejects.toThrow(/at least one source/);
  });

  it("sums 8 × 1 Mi f32 in well under a second", async () => {
    const n = 1 << 20;
    const slab = new SharedArrayBuffer(9 * n * 4);
    new Float32Array(slab).fill(0.5);
    const sources = Array.from({ length: 8 }, (_, k) => ({ slab, byteOffset: k * n * 4 }));
    const t0 = performance.now();
    await reducer.reduceToHeap({ sources, count: n, dtype: "float32", op: "sum" }, { slab, byteOffset: 8 * n * 4 });
    const ms = performance.now() - t0;
    expect(new Float32Array(slab, 8 * n * 4, 4)[3]).toBe(4);
    expect(ms).toBeLessThan(1000);
  });
});
