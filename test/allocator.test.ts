import { describe, expect, it } from "vitest";
import { HEAP_ALIGNMENT, SlabAllocator } from "../src/heap/allocator.ts";
import { SymmetricMemoryError } from "../src/core/errors.ts";

describe("SlabAllocator", () => {
  it("aligns every offset to 256 bytes and gives zero-byte requests an address", () => {
    const a = new SlabAllocator(4096);
    const offsets = [1, 0, 300, 256, 17].map((n) => a.alloc(n).offset);
    expect(offsets).toEqual([0, 256, 512, 1024, 1280]);
    for (const o of offsets) expect(o % HEAP_ALIGNMENT).toBe(0);
  });

  it("is deterministic: the same calls give the same offsets", () => {
    const run = () => {
      const a = new SlabAllocator(1 << 16);
      const x = a.alloc(1000);
      const y = a.alloc(5000);
      a.release(x.offset);
      const z = a.alloc(200);
      const w = a.alloc(3000);
      return [x.offset, y.offset, z.offset, w.offset];
    };
    expect(run()).toEqual(run());
  });

  it("reuses freed space first-fit and coalesces neighbours", () => {
    const a = new SlabAllocator(1024);
    const b = [a.alloc(256), a.alloc(256), a.alloc(256), a.alloc(256)];
    expect(() => a.alloc(1)).toThrow(SymmetricMemoryError);
    a.release(b[1].offset);
    a.release(b[2].offset);
    // 1 and 2 merged into one 512-byte block
    expect(a.largestFree()).toBe(512);
    expect(a.alloc(512).offset).toBe(256);
    a.release(b[0].offset);
    a.release(b[3].offset);
    expect(a.freeBytes()).toBe(512);
    expect(a.liveCount()).toBe(1);
  });

  it("says how much was requested and how much is available when exhausted", () => {
    const a = new SlabAllocator(2048);
    a.alloc(1024);
    expect(() => a.alloc(1500)).toThrow(
      /requested 1500 bytes \(1536 aligned\), available 1024 bytes in total, largest free block 1024 bytes of a 2048-byte heap/,
    );
  });

  it("rejects a free of an offset that is not live", () => {
    const a = new SlabAllocator(1024);
    const x = a.alloc(10);
    a.release(x.offset);
    expect(() => a.release(x.offset)).toThrow(/no live allocation starts there/);
  });
});
