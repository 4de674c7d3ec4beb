/**
 * webshmem::mm and mm.out on the cpu backend (an in-thread rank, no workers): every dtype, shapes
 * with empty, single and odd sizes and tile sizes ± 1 (the WGSL tile is 64), regular, heap and
 * strided-tile operands, against float64 loops (test/fixtures/mm-ranks.ts, whose `tolerance` states
 * the bound per dtype); the capability itself with strided MatrixRefs and guard elements; the
 * meta kernels; the refusals by message. The webgpu runs of the same fixture: test/webgpu-node/mm.test.ts,
 * deno/tests/mm_test.ts, e2e/mm.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { type Backend, findOp, OpError, runMeta, tensorMeta } from "../../src/index.ts";
import { matmulerOf } from "../../src/backends/backend.ts";
import { cpuBackend } from "../../src/backends/cpu/cpu-backend.ts";
import { checkMatmulJob, matrixOf } from "../../src/backends/matmul.ts";
import { metaGroups } from "../../src/library/meta.ts";
import {
  EXPECTED_MM_REFUSALS, MM_DTYPES, type MmCase, mmCases, type MmPlacement, mmRefusals, mmWindows, referenceMm, tolerance,
} from "../fixtures/mm-ranks.ts";
import { localRank } from "../helpers/local-rank.ts";

const rank = localRank(1 << 21);

/** [m, k, n]: empty in each dimension, ones, odd sizes, the tile (64) ± 1, a deep k. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [0, 3, 4], [3, 0, 4], [3, 4, 0], [1, 1, 1], [1, 7, 1], [2, 1, 3], [5, 3, 7],
  [63, 17, 65], [65, 64, 63], [64, 1, 64], [17, 130, 33],
];
const PLACES: readonly MmPlacement[] = ["regular", "heap", "tile"];
const OUTS: readonly (MmPlacement | "new")[] = ["new", ...PLACES];
const ALL_PLACEMENTS = PLACES.flatMap((self) => PLACES.flatMap((mat2) => OUTS.map((out) => ({ self, mat2, out }))));

/** Every placement for the small shapes; for the large ones a rotation of six (each placement of each operand still twice). */
function cases(): MmCase[] {
  const out: MmCase[] = [];
  let seed = 1;
  SHAPES.forEach(([m, k, n], s) => {
    for (const dtype of MM_DTYPES) {
      const all = m * k * n <= 2000;
      const placements = all ? ALL_PLACEMENTS : Array.from({ length: 6 }, (_, i) => ALL_PLACEMENTS[(s * 7 + i * 13) % 36]);
      for (const p of placements) out.push({ m, k, n, dtype, ...p, seed: seed++ });
    }
  });
  return out;
}

describe("webshmem::mm and mm.out on cpu", () => {
  it("match float64 loops within the stated tolerance, every dtype, shape and placement; inputs and guards untouched", async () => {
    const list = cases();
    const report = await mmCases(rank, list);
    expect(report.failures.slice(0, 10)).toEqual([]);
    expect(report.checked).toBe(list.length);
    console.log(`  ${report.checked} cases, worst error ${report.maxErrOverTol.toFixed(3)} of the tolerance`);
  });

  it("the capability with strided MatrixRefs at odd offsets writes only out's window (guards around it)", async () => {
    for (const dtype of MM_DTYPES) {
      for (const placement of ["regular", "heap"] as const) expect(await mmWindows(rank, dtype, placement)).toEqual([]);
    }
  });

  it("refuses bad calls with an OpError that says expected, found and the rank", async () => {
    expect(await mmRefusals(rank)).toEqual([]);
  });

  it("k = 0 gives zeros, as aten", async () => {
    const out = await rank.ops.webshmem.mm(rank.zeros([3, 0]), rank.zeros([0, 2])) as never;
    expect(Array.from(await rank.read(out))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("a backend without the matmul capability is named in the OpError", () => {
    const plain: Backend = { ...cpuBackend, name: "nomatmul", matmul: undefined };
    expect(() => matmulerOf(plain, rank, "webshmem::mm")).toThrow(new OpError(
      'webshmem::mm: backend "nomatmul" has no matmul capability (Backend.matmul) on rank 0; expected a backend that ' +
        'implements it, such as "cpu" or "webgpu"'));
  });

  it("checkMatmulJob refuses bad MatrixRefs: outside the tensor, strides below cols, overlap, sizes", () => {
    const t = rank.tensor(new Float32Array(12), { shape: [3, 4] });
    const u = rank.tensor(new Float32Array(12), { shape: [4, 3] });
    const o = rank.tensor(new Float32Array(9), { shape: [3, 3] });
    const ok = { a: matrixOf(t), b: matrixOf(u), out: matrixOf(o) };
    expect(checkMatmulJob(ok, "w")).toMatchObject({ m: 3, k: 4, n: 3, dtype: "float32" });
    const refuse = (job: typeof ok, message: string) => expect(() => checkMatmulJob(job, "w")).toThrow(new OpError(message));
    refuse({ ...ok, a: { ...ok.a, offset: 1 } },
      "w: a (3 × 4, row stride 4, offset 1) expected at most 12 elements of its float32[3, 4] tensor, found it reaching element 13");
    refuse({ ...ok, b: { ...ok.b, rowStride: 2 } }, "w: b.rowStride expected at least cols (3) so rows do not overlap, found 2");
    refuse({ ...ok, out: { tensor: t, rows: 3, cols: 3 } }, "w: out expected memory disjoint from a, found the two overlapping");
    refuse({ ...ok, b: { tensor: u, rows: 3, cols: 3 } }, "w: b expected 4 rows (the columns of a, 3 × 4), found 3");
    refuse({ ...ok, out: { tensor: o, rows: 3, cols: 2 } }, "w: out expected 3 × 3 (a is 3 × 4, b 4 × 3), found 3 × 2");
    refuse({ ...ok, a: { ...ok.a, rows: -1 } }, "w: a.rows expected a non-negative integer, found -1");
  });
});

describe("the mm meta kernels", () => {
  const env = metaGroups({ world: 1 });

  it("mm: [m, n] of self's dtype; mm.out: out itself; both with the kernels' checks (without the rank)", () => {
    expect(runMeta("webshmem::mm", [tensorMeta([2, 3], "bfloat16"), tensorMeta([3, 5], "bfloat16")], env))
      .toEqual({ shape: [2, 5], dtype: "bfloat16" });
    const out = tensorMeta([0, 5], "float32");
    expect(runMeta("webshmem::mm.out", [tensorMeta([0, 3], "float32"), tensorMeta([3, 5], "float32"), { out }], env)).toBe(out);
    expect(rank.meta("webshmem::mm", rank.zeros([4, 1]), { shape: [1, 6], dtype: "float32" })).toEqual({ shape: [4, 6], dtype: "float32" });
    const bad: ReadonlyArray<readonly [string, unknown[], string]> = [
      ["webshmem::mm", [tensorMeta([2, 3, 4], "float32"), tensorMeta([4, 5], "float32")], EXPECTED_MM_REFUSALS["self not 2-d"]],
      ["webshmem::mm", [tensorMeta([2, 3], "float32"), tensorMeta([4, 5], "float32")], EXPECTED_MM_REFUSALS["inner sizes differ"]],
      ["webshmem::mm.out", [tensorMeta([2, 3], "float32"), tensorMeta([3, 5], "float32"), { out: tensorMeta([5, 2], "float32") }],
        EXPECTED_MM_REFUSALS["out of the wrong shape"]],
    ];
    for (const [op, args, message] of bad) {
      expect(() => runMeta(op, args, env)).toThrow(new OpError(message.replace(" on rank RANK", "")));
    }
  });

  it("mm.out is tagged out (PyTorch 2.13's rules pass), mm has no tag", () => {
    expect(findOp("webshmem::mm.out")?.tags).toEqual(["out"]);
    expect(findOp("webshmem::mm")?.tags).toEqual([]);
    expect(findOp("webshmem::mm.out")?.schema.toString()).toBe(
      "webshmem::mm.out(Tensor self, Tensor mat2, *, Tensor(a!) out) -> Tensor(a!)");
  });
});

describe("the test's own reference and tolerance", () => {
  it("referenceMm is the textbook product, and the tolerance catches an error of one unit in the last place of bfloat16", () => {
    const { ref } = referenceMm([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2);
    expect(Array.from(ref)).toEqual([19, 22, 43, 50]);
    expect(tolerance("bfloat16", 1, 1)).toBeLessThan(2 ** -7);
    expect(tolerance("float32", 64, 1)).toBeLessThan(1e-5);
  });
});
