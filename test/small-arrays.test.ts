import { describe, expect, it } from "vitest";
import { SMALL_ARRAY_MAX_BYTES, SMALL_CHUNK_BYTES, smallArray } from "../src/core/small-arrays.ts";
import { HostReducer } from "../src/core/host-reducer.ts";
import { cpuReducer } from "../src/backends/cpu/cpu-reducer.ts";

describe("small host arrays (pooled, as Node's Buffer pool)", () => {
  it("carves small arrays out of one shared chunk, 8-byte aligned, zeroed, never overlapping", () => {
    const arrays = Array.from({ length: 40 }, (_, i) => smallArray(i % 2 === 0 ? "float32" : "uint8", 1 + (i % 5)));
    for (const a of arrays) {
      expect(a.buffer.byteLength).toBe(SMALL_CHUNK_BYTES);
      expect(a.byteOffset % 8).toBe(0);
      expect(Array.from(a).every((v) => v === 0)).toBe(true);
    }
    // Fill each with its index: no array may see another's writes.
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => expect(Array.from(a).every((v) => v === i + 1)).toBe(true));
  });

  it("starts a new chunk when one is full, and keeps the old arrays intact", () => {
    const first = smallArray("int32", 2);
    first.set([7, 8]);
    const n = Math.ceil(SMALL_CHUNK_BYTES / 8) + 1;
    const later = Array.from({ length: n }, () => smallArray("int32", 2));
    expect(later.some((a) => a.buffer !== first.buffer)).toBe(true);
    expect(Array.from(first)).toEqual([7, 8]);
    expect(later.every((a) => a[0] === 0 && a[1] === 0)).toBe(true);
  });

  it("gives larger and empty arrays buffers of their own", () => {
    const big = smallArray("float32", SMALL_ARRAY_MAX_BYTES / 4 + 1);
    expect(big.buffer.byteLength).toBe(SMALL_ARRAY_MAX_BYTES + 4);
    expect(big.byteOffset).toBe(0);
    const edge = smallArray("float32", SMALL_ARRAY_MAX_BYTES / 4);
    expect(edge.buffer.byteLength).toBe(SMALL_CHUNK_BYTES);
    expect(smallArray("bfloat16", 0).length).toBe(0);
    expect(smallArray("float16", 3)).toBeInstanceOf(Uint16Array);
  });

  it("a reduction's small results stay correct while later ones share their chunk", async () => {
    const slab = new SharedArrayBuffer(64);
    const a = new Float32Array(slab, 0, 2);
    const b = new Float32Array(slab, 8, 2);
    const results = [];
    for (let i = 0; i < 700; i++) { // > one chunk of 8-byte results
      a.set([i, 1]);
      b.set([2 * i, 0.5]);
      const t = await cpuReducer.reduceToTensor({
        sources: [{ slab, byteOffset: 0 }, { slab, byteOffset: 8 }], count: 2, dtype: "float32", op: "sum",
      }, [2]);
      results.push(t);
    }
    results.forEach((t, i) => expect(Array.from(t.data)).toEqual([3 * i, 1.5]));
    // The host reducer's results of every size: pooled below the limit, own buffer above.
    const host = new HostReducer();
    const src = new SharedArrayBuffer(4096);
    new Int32Array(src).fill(3);
    for (const count of [1, 64, 65, 1024]) {
      const out = host.reduceToArray({ sources: [{ slab: src, byteOffset: 0 }, { slab: src, byteOffset: 0 }], count, dtype: "int32", op: "sum" });
      expect(out.length).toBe(count);
      expect(Array.from(out).every((v) => v === 6)).toBe(true);
    }
  });
});
