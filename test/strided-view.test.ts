/**
 * Strided 2-d views of symmetric tensors (SymmetricTensor.tile, view's strides option): layout,
 * bounds, the contiguous-only accessors, the copies and checks that must treat them row by row,
 * and the reducer writing into strided rows.
 */
import { describe, expect, it } from "vitest";
import { OpError, SymmetricMemoryError, SymmetricTensor } from "../src/index.ts";
import { copyElements } from "../src/heap/symmetric-tensor.ts";
import { checkDisjoint } from "../src/ops/symm_mem/checks.ts";
import { hostReducer } from "../src/core/host-reducer.ts";
import { localRank } from "./helpers/local-rank.ts";

function matrix(rows: number, cols: number): SymmetricTensor<"float32"> {
  const rank = localRank(1 << 16);
  const t = rank.symm.empty([rows, cols], "float32");
  t.data.set(Float32Array.from({ length: rows * cols }, (_, i) => i));
  return t;
}

describe("SymmetricTensor.tile", () => {
  it("is the PyTorch slice t[row:row+rows, col:col+cols]: strides [cols of the parent, 1]", () => {
    const m = matrix(6, 10);
    const t = m.tile(2, 3, 3, 4);
    expect(t.shape).toEqual([3, 4]);
    expect(t.strides).toEqual([10, 1]);
    expect(t.isContiguous).toBe(false);
    expect(t.isView).toBe(true);
    expect(t.base).toBe(m);
    expect(t.viewOffset).toBe((2 * 10 + 3) * 4);
    expect(t.numel).toBe(12);
    expect(t.nbytes).toBe(48);
    expect(t.spanBytes).toBe((2 * 10 + 4) * 4);
    expect(Array.from(t.row(0))).toEqual([23, 24, 25, 26]);
    expect(Array.from(t.row(2))).toEqual([43, 44, 45, 46]);
    expect(Array.from(t.elements())).toEqual([23, 24, 25, 26, 33, 34, 35, 36, 43, 44, 45, 46]);
    expect(t.rowLayout).toEqual({ rows: 3, rowLength: 4, rowStride: 10 });
  });

  it("a tile of a tile keeps the parent's row stride; full-width or one-row tiles are contiguous", () => {
    const m = matrix(6, 10);
    const inner = m.tile(1, 1, 4, 6).tile(1, 2, 2, 3);
    expect(inner.strides).toEqual([10, 1]);
    expect(Array.from(inner.elements())).toEqual([23, 24, 25, 33, 34, 35]);
    const rows = m.tile(2, 0, 3, 10);
    expect(rows.isContiguous).toBe(true);
    expect(rows.strides).toEqual([10, 1]);
    expect(Array.from(rows.data.slice(0, 2))).toEqual([20, 21]);
    const one = m.tile(4, 5, 1, 3);
    expect(one.isContiguous).toBe(true);
    expect(Array.from(one.data)).toEqual([45, 46, 47]);
    expect(m.tile(3, 3, 0, 4).isContiguous).toBe(true);
  });

  it("refuses a tile outside the tensor, bad numbers and non-2-d tensors", () => {
    const m = matrix(6, 10);
    expect(() => m.tile(4, 0, 3, 2)).toThrow(new SymmetricMemoryError(
      "tile: rows [4, 7) × cols [0, 2) do not lie inside the 6 × 10 tensor"));
    expect(() => m.tile(0, 8, 1, 3)).toThrow(/cols \[8, 11\) do not lie inside the 6 × 10 tensor/);
    expect(() => m.tile(-1, 0, 1, 1)).toThrow(/tile: row must be a non-negative integer, found -1/);
    expect(() => m.tile(0, 0.5, 1, 1)).toThrow(/tile: col must be a non-negative integer, found 0.5/);
    expect(() => m.view(0, [60], "float32").tile(0, 0, 1, 1)).toThrow(/tile: expected a 2-d tensor, found shape \[60\]/);
  });

  it("data and bytes refuse a strided view with a SymmetricMemoryError; row() checks its index", () => {
    const t = matrix(6, 10).tile(1, 1, 2, 2);
    expect(() => t.data).toThrow(SymmetricMemoryError);
    expect(() => t.data).toThrow(/data: expected a contiguous symmetric tensor, found a strided view of .* \(shape \[2, 2\], strides \[10, 1\]\)/);
    expect(() => t.bytes).toThrow(/bytes: expected a contiguous symmetric tensor/);
    expect(() => t.row(2)).toThrow(/row: expected a row index in \[0, 1\] of a 2-d tensor, found 2/);
  });
});

describe("view with strides", () => {
  it("makes the same strided view as tile, bounds-checked against the allocation's span", () => {
    const m = matrix(6, 10);
    const v = m.view((2 * 10 + 3) * 4, [3, 4], "float32", { strides: [10, 1] });
    expect(Array.from(v.elements())).toEqual(Array.from(m.tile(2, 3, 3, 4).elements()));
    // 240 bytes, rounded up to 256: rows 40 floats apart from byte 0 span (2*40+4)*4 = 336 bytes.
    expect(() => m.view(0, [3, 4], "float32", { strides: [40, 1] })).toThrow(new SymmetricMemoryError(
      `view of 336 bytes (strides [40, 1]) at byte 0 does not fit allocation ${m.allocation.id} of 256 bytes`));
  });

  it("accepts contiguous strides of any rank and refuses every other layout", () => {
    const m = matrix(6, 10);
    expect(m.view(0, [2, 3, 4], "float32", { strides: [12, 4, 1] }).isContiguous).toBe(true);
    expect(() => m.view(0, [3, 4], "float32", { strides: [3, 1] })).toThrow(/integer rowStride ≥ 4, found \[3, 1\]/);
    expect(() => m.view(0, [3, 4], "float32", { strides: [10, 2] })).toThrow(/\[rowStride, 1\]/);
    expect(() => m.view(0, [2, 3, 4], "float32", { strides: [24, 4, 1] })).toThrow(/expected contiguous strides \[12, 4, 1\]/);
    expect(() => m.view(0, [3, 4], "float32", { strides: [10] })).toThrow(/one per dimension of shape \[3, 4\], found \[10\]/);
  });
});

describe("what must treat strided views row by row", () => {
  it("copyElements packs and unpacks rows", () => {
    const m = matrix(6, 10);
    const packed = m.view(0, [2, 3], "float32");
    const src = m.tile(3, 5, 2, 3);
    copyElements(packed, src);
    expect(Array.from(packed.data)).toEqual([35, 36, 37, 45, 46, 47]);
    packed.data.set([-1, -2, -3, -4, -5, -6]);
    copyElements(m.tile(4, 0, 2, 3), packed);
    expect(Array.from(m.data.slice(40, 44))).toEqual([-1, -2, -3, 43]);
    expect(Array.from(m.data.slice(50, 54))).toEqual([-4, -5, -6, 53]);
    expect(() => copyElements(packed, m.tile(0, 0, 3, 2))).toThrow(/same dtype and shape/);
  });

  it("checkDisjoint compares rows: two column blocks of one matrix are disjoint, interleaved rows are not", () => {
    const m = matrix(6, 10);
    expect(() => checkDisjoint("op", ["a", m.tile(0, 0, 6, 5)], ["b", m.tile(0, 5, 6, 5)])).not.toThrow();
    expect(() => checkDisjoint("op", ["a", m.tile(0, 0, 6, 5)], ["b", m.tile(5, 4, 1, 2)])).toThrow(OpError);
    expect(() => checkDisjoint("op", ["a", m.tile(0, 0, 6, 5)], ["b", m.tile(5, 4, 1, 2)])).toThrow(
      /arguments "a" and "b" overlap .* sharing bytes \[216, 220\)/);
  });

  it("the host reducer writes strided rows and nothing between them", async () => {
    const m = matrix(4, 6);
    const before = m.data.slice();
    const src = new Float32Array([1, 2, 3, 4]);
    const region = { slab: src.buffer as unknown as SharedArrayBuffer, byteOffset: 0 };
    const dst = { slab: m.slab, byteOffset: m.byteOffset + (1 * 6 + 2) * 4, rowLength: 2, rowStride: 6 };
    await hostReducer.reduceToHeap({ sources: [region, region], count: 4, dtype: "float32", op: "sum" }, dst);
    const want = Array.from(before);
    [want[8], want[9], want[14], want[15]] = [2, 4, 6, 8];
    expect(Array.from(m.data)).toEqual(want);
  });
});
