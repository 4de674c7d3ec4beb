/**
 * The all-to-all correctness matrix on Node with the cpu backend (test/shared/all-to-all-scenarios.ts):
 * every op × split pattern (zero, uneven, all to one peer) × placement (symmetric views in guarded
 * arenas, or regular tensors) × dtype, row widths and major_align values in turn, on world sizes
 * 1 to 16; every rank's out arena (guards, unused tail) and splits outputs compared bytewise with the oracle.
 */
import { describe, expect, it } from "vitest";
import {
  A2A_ALIGNS, A2A_DTYPES, A2A_OPS, A2A_WIDTHS, A2A_WORLDS, alignCases, buildCase, matrixCases, runA2aCases,
} from "../shared/all-to-all-scenarios.ts";
import { expected } from "../shared/all-to-all-oracle.ts";
import type { A2aCase } from "../fixtures/all-to-all-ranks.ts";

describe("the all-to-all matrix definition", () => {
  it("covers every op, dtype, width, pattern, placement and major_align", () => {
    const cases = matrixCases(4);
    expect(cases.length).toBe(A2A_OPS.length * 3 * 2 * A2A_DTYPES.length);
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(A2A_OPS));
    expect(new Set(cases.map((c) => c.width))).toEqual(new Set(A2A_WIDTHS));
    expect(new Set(cases.map((c) => c.dtype))).toEqual(new Set(A2A_DTYPES));
    const aligns = new Set([...cases, ...alignCases(4)].filter((c) => c.op === "2d").map((c) => c.align));
    expect(aligns).toEqual(new Set(A2A_ALIGNS));
    // Some case sends nothing at all, some sends everything to one peer.
    expect(cases.some((c) => c.op === "vdev" && c.splits.flat().every((v) => v === 0))).toBe(true);
    expect(cases.some((c) => c.op === "2d" && c.splits.every((s) => s.filter((v) => v > 0).length === 1))).toBe(true);
  });

  it("the oracle follows PyTorch's examples (nvshmem_extension.cu's docstring, test_nvshmem.py)", () => {
    // World 2, 2 experts each, 1 row per chunk: source | c0 c1 c2 c3 | d0 d1 d2 d3 | → | c0 d0 c1 d1 | c2 d2 c3 d3 |.
    const c: A2aCase = {
      op: "2d", dtype: "int32", width: 0, inRows: 4, outRows: 4, splits: [[1, 1, 1, 1], [1, 1, 1, 1]],
      placement: "regular", seed: 1,
    };
    const words = (r: number) => Array.from(new Int32Array(new Uint8Array(expected(c, r).out).buffer));
    const e0 = expected(c, 0);
    expect(e0.splits).toEqual([1, 1, 1, 1, 0, 1, 2, 3]);
    expect(words(0).length).toBe(4);
    // major_align 16: c0 (5 rows) + d0 (7 rows) = 12, so the next expert's offset is 16.
    const a: A2aCase = { ...c, splits: [[5, 1, 0, 0], [7, 2, 0, 0]], inRows: 12, outRows: 40, align: 16 };
    expect(expected(a, 0).splits).toEqual([5, 7, 1, 2, 0, 5, 16, 17]);
    // An empty expert still takes major_align rows (and 1 with None).
    const empty: A2aCase = { ...c, splits: [[0, 1, 0, 0], [0, 2, 0, 0]], inRows: 3, outRows: 40, align: 8 };
    expect(expected(empty, 0).splits).toEqual([0, 0, 1, 2, 0, 0, 8, 9]);
    expect(expected({ ...empty, align: null }, 0).splits).toEqual([0, 0, 1, 2, 0, 0, 1, 2]);
    expect(buildCase("plain", 3, "int32", 1, "uneven", "symmetric", undefined, 4).inRows % 3).toBe(0);
  });
});

describe("all-to-all matrix on Node, cpu backend (bytewise, canaries around every output)", () => {
  for (const world of A2A_WORLDS) {
    // 16 ranks on 2 cores is slow: a third of the matrix (still every op, pattern, placement and dtype).
    const sample = world === 16;
    it(`${world} ranks: ${sample ? "a third of" : "every case of"} the matrix`, async () => {
      const cases = sample ? matrixCases(world).filter((_, i) => i % 3 === 0) : [...matrixCases(world), ...alignCases(world)];
      const failures = await runA2aCases({ backend: "cpu", worldSize: world, cases, batch: world >= 8 ? 12 : 48, timeoutMs: 60_000 });
      expect(failures.slice(0, 10)).toEqual([]);
    }, 300_000);
  }
});
