/**
 * The plan's memory layout (src/plan/memory.ts): values whose lifetimes overlap never share a
 * byte, every region is 256-byte aligned and holds its value, regions are reused across
 * lifetimes that do not overlap, and the layout depends on nothing but its input (every rank that
 * traced the same graph gets the same one).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { layoutLifetimes, type Lifetime } from "../../src/plan/memory.ts";

const block = (b: number) => Math.max(256, Math.ceil(b / 256) * 256);

describe("layoutLifetimes", () => {
  it("reuses a region once its value is dead, never while it is live (the producer's inputs and output overlap)", () => {
    // a: ops 0..1, b: 1..2 (made by the op that last uses a), c: 2..3 (may take a's region), d: -1..4 (an input).
    const l: Lifetime[] = [
      { bytes: 1000, start: 0, end: 1 }, { bytes: 1000, start: 1, end: 2 }, { bytes: 1000, start: 2, end: 3 }, { bytes: 10, start: -1, end: 4 },
    ];
    const { offsets, total } = layoutLifetimes(l);
    expect(offsets).toEqual([256, 1280, 256, 0]);
    expect(total).toBe(256 + 2 * 1024);
  });

  it("random lifetimes: overlapping ones are disjoint, aligned, inside the total; deterministic", () => {
    const lifetime = fc.record({ bytes: fc.integer({ min: 0, max: 5000 }), start: fc.integer({ min: -1, max: 20 }), len: fc.integer({ min: 0, max: 8 }) })
      .map(({ bytes, start, len }) => ({ bytes, start, end: start + len }));
    fc.assert(fc.property(fc.array(lifetime, { maxLength: 30 }), (ls) => {
      const { offsets, total } = layoutLifetimes(ls);
      expect(layoutLifetimes(ls)).toEqual({ offsets, total });
      ls.forEach((a, i) => {
        expect(offsets[i] % 256).toBe(0);
        expect(offsets[i] + block(a.bytes)).toBeLessThanOrEqual(total);
        ls.forEach((b, j) => {
          if (j <= i || a.start > b.end || b.start > a.end) return;
          const apart = offsets[i] + block(a.bytes) <= offsets[j] || offsets[j] + block(b.bytes) <= offsets[i];
          expect(apart).toBe(true);
        });
      });
      expect(total).toBeLessThanOrEqual(ls.reduce((s, a) => s + block(a.bytes), 0));
    }));
  });
});
