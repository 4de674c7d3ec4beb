/**
 * The collective correctness matrix on Node with the cpu backend, bit-exact with the oracle:
 * the full small matrix on every world size, plus sampled large (1 Mi + 3 element) cases.
 */
import { describe, expect, it } from "vitest";
import {
  allCases, LARGE_COUNTS, MATRIX_WORLD_SIZES, matrixCases, OFFSETS, runCollectiveMatrix, SAMPLE_WINDOWS, SMALL_COUNTS,
} from "../shared/collective-matrix.ts";
import { describeCase, MATRIX_OPS } from "../fixtures/collective-ranks.ts";

describe("the matrix definition", () => {
  it("covers ops × dtypes × reduce ops × counts × placements, and samples only the large counts", () => {
    expect(SMALL_COUNTS).toEqual([0, 1, 4, 8192, 8196]);
    expect(LARGE_COUNTS).toEqual([(1 << 20) + 3]);
    expect(OFFSETS).toEqual([0, 16]);
    expect(MATRIX_WORLD_SIZES).toEqual([2, 3, 4, 8]);
    const full = allCases(4, SMALL_COUNTS);
    // 10 all-reduce-family ops × 19 (dtype, reduce op) pairs (no int32 avg) + 2 reduce_scatter
    // modes × 4 dtypes + 2 copy ops × 4 dtypes, each × 5 counts × 3 placements.
    expect(full.length).toBe((10 * 19 + 2 * 4 + 2 * 4) * 5 * 3);
    expect(new Set(full.map((c) => c.op))).toEqual(new Set(Object.keys(MATRIX_OPS)));
    const cases = matrixCases({ largeCases: 3 });
    const large = [...cases.values()].flat().filter((c) => c.count === LARGE_COUNTS[0]);
    expect(large.length).toBe(3);
    expect(new Set(large.map((c) => c.op)).size).toBe(3);
    expect([...cases.values()].flat().length).toBe(4 * full.length + 3);
  });

  it("samples deterministically with the budget knob", () => {
    const a = matrixCases({ smallFraction: 0.05, largeCases: 1 });
    const b = matrixCases({ smallFraction: 0.05, largeCases: 1 });
    expect(a).toEqual(b);
    const n = [...a.values()].flat().length;
    expect(n).toBeGreaterThan(0.03 * 4 * 3090);
    expect(n).toBeLessThan(0.07 * 4 * 3090);
  });

  it("the webgpu runtimes' sample windows are disjoint and each runs about its share", () => {
    const ids = (o: { sampleFrom: number; smallFraction: number }) =>
      [...matrixCases({ ...o, largeCases: 0 }).entries()].flatMap(([w, cs]) => cs.map((c) => `${w}/${describeCase(c, w)}`));
    const seen = new Map<string, string>();
    for (const [runtime, window] of Object.entries(SAMPLE_WINDOWS)) {
      const mine = ids(window);
      expect(mine.length).toBeGreaterThan(0.7 * window.smallFraction * 4 * 3090);
      expect(mine.length).toBeLessThan(1.3 * window.smallFraction * 4 * 3090);
      for (const id of mine) {
        expect(seen.get(id), `${id} sampled by ${seen.get(id)} and ${runtime}`).toBeUndefined();
        seen.set(id, runtime);
      }
    }
    // A window that wraps past 1 takes the cases at the start again.
    const wrapped = new Set(ids({ sampleFrom: 0.9, smallFraction: 0.2 }));
    expect(ids({ sampleFrom: 0, smallFraction: 0.1 }).every((id) => wrapped.has(id))).toBe(true);
    expect(() => matrixCases({ sampleFrom: 1 })).toThrow(/sampleFrom must lie in \[0, 1\), got 1/);
  });
});

describe("collective matrix on Node, cpu backend (bit-exact)", () => {
  for (const w of MATRIX_WORLD_SIZES) {
    it(`${w} ranks: the full small matrix and 2 sampled large cases`, async () => {
      const report = await runCollectiveMatrix({ backend: "cpu", worldSizes: [w], largeCases: 2 });
      console.log(report.summary);
      expect(report.failures).toEqual([]);
      expect(report.cases).toBe(3090 + 2);
    }, 600_000);
  }

  it("1 and 16 ranks (the ends of the supported range): a 4% sample of the small matrix", async () => {
    const report = await runCollectiveMatrix({ backend: "cpu", worldSizes: [1, 16], smallFraction: 0.04, largeCases: 0 });
    console.log(report.summary);
    expect(report.cases).toBeGreaterThan(150);
  }, 600_000);

  it("reduce_scatter split_last_dim at 1 Mi + 3 elements: a million 1-element strided rows", async () => {
    const report = await runCollectiveMatrix({
      backend: "cpu", worldSizes: [4], ops: ["reduce_scatter_out_split"], dtypes: ["float32"], smallFraction: 0, largeCases: 1,
    });
    expect(report.cases).toBe(1);
  }, 600_000);
});
