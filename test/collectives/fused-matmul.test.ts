/**
 * symm_mem::fused_all_gather_matmul and symm_mem::fused_matmul_reduce_scatter on Node with the cpu
 * backend, against the unfused decomposition computed independently on every rank
 * (test/fixtures/fused-ranks.ts): world sizes 1 to 4; a 3-d A gathered along dims 0, 1 and 2 (the
 * last) with several Bs, return_A both ways; A @ B scattered along dims 0, 1 and 2 with sum and
 * avg; float32, bfloat16 and float16; regular inputs and symmetric ones with guard bytes; empty
 * rows and empty contractions. Then every bad input, refused on every rank with its message; the
 * meta kernels against the kernels; a backend without the matmul capability; and what a call
 * costs (no realization, one workspace allocation per op reused across calls).
 */
import { afterAll, describe, expect, it } from "vitest";
import { launch, listBackends, OpError, unregisterBackend } from "../../src/index.ts";
import { metaGroups } from "../../src/internal.ts";
import { runMeta } from "../../src/library/run-meta.ts";
import { checkFusedRefusals, EXPECTED_FUSED_REFUSALS, fusedCases, largeCases, runFusedMatrix } from "../shared/fused-scenarios.ts";
import { TWO_STAGE_MIN_MACS, twoStages } from "../../src/ops/symm_mem/fused-tuning.ts";
import { HOSTMEM, hostmemBackend, registerThirdBackend, releaseThirdBackendKernels } from "../fixtures/third-backend.ts";
import { localRank } from "../helpers/local-rank.ts";

const AG = "symm_mem::fused_all_gather_matmul";
const RS = "symm_mem::fused_matmul_reduce_scatter";

describe("the fused matrix definition", () => {
  it("covers ops × dtypes × placements × shapes × (return_A | reduce op)", () => {
    const cases = fusedCases(3);
    // 3 dtypes × 2 placements × (6 gather shapes × 2 return_A + 6 scatter shapes × 2 reduce ops), and the 2 large cases
    expect(cases.length).toBe(3 * 2 * (6 * 2 + 6 * 2) + 2);
    // forced one stage, forced two, the size's choice: each for a third of the cases
    expect([1, 2, undefined].map((n) => cases.filter((c) => c.stages === n).length)).toEqual([48, 48, 50]);
    const ag = cases.filter((c) => c.op === "fused_all_gather_matmul");
    expect(new Set(ag.map((c) => c.op === "fused_all_gather_matmul" && c.gatherDim))).toEqual(new Set([0, 1, 2]));
    expect(new Set(cases.map((c) => c.seed)).size).toBe(cases.length);
  });
});

describe("the fused ops' stage rule (src/ops/symm_mem/fused-tuning.ts)", () => {
  it("two stages from TWO_STAGE_MIN_MACS multiply-adds on, unless rank.configure forces a count", () => {
    expect(twoStages(AG, TWO_STAGE_MIN_MACS - 1, undefined)).toBe(false);
    expect(twoStages(AG, TWO_STAGE_MIN_MACS, undefined)).toBe(true);
    expect(twoStages(AG, 1, { stages: 2 })).toBe(true);
    expect(twoStages(RS, 1 << 30, { stages: 1 })).toBe(false);
    expect(twoStages(RS, 1 << 30, {})).toBe(true);
    expect(() => twoStages(RS, 1, { stages: 0 })).toThrow(`${RS}: setting stages must be 1 or 2, found 0`);
    expect(() => twoStages(AG, 1, { stage: 2 })).toThrow(`${AG}: unknown setting "stage": expected stages`);
    // the large cases of the matrix cross it from 2 ranks on, with no setting
    for (const c of largeCases(2)) {
      const macs = c.op === "fused_all_gather_matmul" ? c.shard[0] * 2 * c.shard[1] * c.bCols[0] : c.a[0] * c.a[1] * c.bCols;
      expect(macs).toBeGreaterThanOrEqual(TWO_STAGE_MIN_MACS);
    }
  });
});

describe("fused ops on Node, cpu backend, against the unfused decomposition", () => {
  for (const w of [1, 2, 3, 4]) {
    it(`${w} ranks: the full matrix`, async () => {
      const report = await runFusedMatrix({ backend: "cpu", worldSizes: [w] });
      console.log(report.summary);
      expect(report.cases).toBe(fusedCases(w).length);
    }, 120_000);
  }
});

describe("fused ops refuse bad input on every rank", () => {
  for (const w of [1, 3]) {
    it(`${w} ranks`, async () => {
      const world = await launch({
        worldSize: w, heapBytes: 1 << 20, backend: "cpu", timeoutMs: 20_000,
        rankModule: new URL("../fixtures/fused-ranks.ts", import.meta.url),
      });
      try {
        expect(await checkFusedRefusals(world)).toMatch(/bad inputs refused on every rank/);
      } finally {
        await world.close();
      }
    }, 120_000);
  }
});

describe("the fused ops' meta kernels", () => {
  const env = metaGroups({ world: 3 });
  const t = (shape: number[], dtype = "float32") => ({ shape, dtype });

  it("give PyTorch's shapes: the gathered A (or None) and one output per B", () => {
    expect(runMeta(AG, [t([2, 3, 5]), [t([5, 4]), t([5, 7])], 1, "world"], env)).toEqual([
      t([2, 9, 5]), [t([2, 9, 4]), t([2, 9, 7])],
    ]);
    expect(runMeta(AG, [t([2, 3, 5], "bfloat16"), [t([5, 4], "bfloat16")], 0, "world", { return_A: false }], env)).toEqual([
      null, [t([6, 3, 4], "bfloat16")],
    ]);
    // gather_dim = the last dim: B's rows are the gathered columns; the outputs keep A's leading dims.
    expect(runMeta(AG, [t([2, 3, 5]), [t([15, 4])], 2, "world"], env)).toEqual([t([2, 3, 15]), [t([2, 3, 4])]]);
    expect(runMeta(AG, [t([4, 5]), [], 0, "world"], env)).toEqual([t([12, 5]), []]);
  });

  it("give this rank's part of A @ B for the reduce-scatter", () => {
    expect(runMeta(RS, [t([6, 9, 5]), t([5, 4]), "sum", 0, "world"], env)).toEqual(t([2, 9, 4]));
    expect(runMeta(RS, [t([6, 9, 5]), t([5, 4]), "avg", 1, "world"], env)).toEqual(t([6, 3, 4]));
    expect(runMeta(RS, [t([6, 9, 5], "float16"), t([5, 6], "float16"), "sum", 2, "world"], env)).toEqual(t([6, 9, 2], "float16"));
  });

  it("refuse what the kernels refuse, with the same messages", () => {
    const refused = (name: string, values: unknown[]) => {
      try {
        runMeta(name, values, env);
      } catch (e) {
        expect(e).toBeInstanceOf(OpError);
        return (e as Error).message;
      }
      throw new Error("expected a refusal");
    };
    const want = EXPECTED_FUSED_REFUSALS;
    expect(refused(AG, [t([6]), [t([6, 2])], 0, "world"])).toMatch(want.agNotMatrix.message);
    expect(refused(AG, [t([2, 3, 4]), [t([4, 2])], 3, "world"])).toMatch(want.agGatherDimHigh.message);
    expect(refused(AG, [t([2, 3]), [t([3, 2]), t([3, 2], "bfloat16")], 0, "world"])).toMatch(want.agBDType.message);
    expect(refused(AG, [t([2, 3]), [t([4, 2])], 0, "world"])).toMatch(want.agContraction.message);
    expect(refused(AG, [t([2, 3]), [t([3, 2])], 1, "world"])).toMatch(want.agLastDimContraction.message);
    expect(refused(RS, [t([4, 3]), t([3, 2]), "sum", 0, "world"])).toMatch(want.rsNotDivisible.message);
    expect(refused(RS, [t([3, 3]), t([3, 4]), "avg", 1, "world"])).toMatch(want.rsLastDimNotDivisible.message);
    expect(refused(RS, [t([3, 3]), t([3, 2]), "max", 0, "world"])).toMatch(want.rsReduceOp.message);
    expect(refused(RS, [t([3, 3]), t([3]), "sum", 0, "world"])).toMatch(want.rsBNotMatrix.message);
  });
});

describe("on one rank in this thread", () => {
  afterAll(() => {
    releaseThirdBackendKernels();
    if (listBackends().includes(HOSTMEM)) unregisterBackend(HOSTMEM);
  });

  it("make no realization, and one workspace allocation per op that later calls reuse", async () => {
    const rank = localRank(1 << 20);
    const A = rank.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    const B = rank.tensor(new Float32Array([1, 0, 0, 1, 1, 1]), { shape: [3, 2] });
    const [gathered, [out]] = (await rank.call(AG, A, [B], 0, "world")) as [{ shape: number[] }, { shape: number[] }[]];
    expect(gathered.shape).toEqual([2, 3]);
    expect(Array.from(await rank.read(out as never))).toEqual([4, 5, 10, 11]);
    const rs = await rank.call(RS, A, B, "avg", 1, "world");
    expect(Array.from(await rank.read(rs as never))).toEqual([4, 5, 10, 11]);
    const after = { ...rank.stats };
    await rank.call(AG, A, [B], 0, "world", { return_A: false });
    await rank.call(RS, A, B, "sum", 0, "world");
    expect(rank.stats.realizations).toBe(0);
    expect(rank.stats.workspaceAllocations).toBe(after.workspaceAllocations);
    expect(after.workspaceAllocations).toBe(2);
  });

  it("refuse a backend without the matmul capability, naming it", async () => {
    registerThirdBackend();
    const rank = localRank(1 << 20);
    const A = hostmemBackend.createTensor(rank, [2, 3], "float32");
    const B = hostmemBackend.createTensor(rank, [3, 2], "float32");
    const matmulMissing = /backend "hostmem" has no matmul capability \(Backend\.matmul\) on rank 0/;
    await expect(rank.call(AG, A, [B], 0, "world")).rejects.toThrow(matmulMissing);
    await expect(rank.call(RS, A, B, "sum", 0, "world")).rejects.toThrow(matmulMissing);
  });
});
