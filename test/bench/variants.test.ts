import { describe, expect, it } from "vitest";
import { isPlan, placements } from "../../src/bench/variants.ts";

const none = new Set<string>();

describe("which op each placement calls", () => {
  it("all_reduce: in-place variants where they exist, _out into the input for regular tensors, N/A on the heap", () => {
    const [o1, i1] = placements("all_reduce", "one_shot", "webgpu", none);
    expect(o1).toMatchObject({ opName: "symm_mem::one_shot_all_reduce", resultAt: "returned" });
    expect(i1).toMatchObject({ opName: "symm_mem::one_shot_all_reduce_out", resultAt: "out", outIsInput: true });
    expect(isPlan(placements("all_reduce", "one_shot", "cpu", none)[1])).toBe(false);
    expect(placements("all_reduce", "two_shot", "cpu", none)).toMatchObject([
      { opName: "symm_mem::two_shot_all_reduce_out", resultAt: "out", outIsInput: false },
      { opName: "symm_mem::two_shot_all_reduce_", resultAt: "input" },
    ]);
    expect(placements("all_reduce", "multimem", "webgpu", none)).toMatchObject([
      { opName: "symm_mem::multimem_one_shot_all_reduce" }, { opName: "symm_mem::multimem_all_reduce_" },
    ]);
  });

  it("host: host_all_reduce_ in place; out-of-place only when an out-of-place host op is defined", () => {
    const [out, inp] = placements("all_reduce", "host", "webgpu", none);
    expect(out).toEqual({ na: expect.stringMatching(/no out-of-place op/) });
    expect(inp).toMatchObject({ opName: "webshmem::host_all_reduce_", resultAt: "input" });
    const [out2] = placements("all_reduce", "host", "webgpu", new Set(["webshmem::host_all_reduce_out"]));
    expect(out2).toMatchObject({ opName: "webshmem::host_all_reduce_out", resultAt: "out" });
  });

  it("the other ops: reduce_scatter and all_gather out of place only, broadcast in place only", () => {
    expect(placements("reduce_scatter", "default", "webgpu", none).map(isPlan)).toEqual([true, false]);
    expect(placements("all_gather", "default", "cpu", none).map(isPlan)).toEqual([true, false]);
    expect(placements("broadcast", "default", "webgpu", none).map(isPlan)).toEqual([false, true]);
    expect(() => placements("all_reduce", "ring", "webgpu", none)).toThrow(/no algorithm "ring"/);
  });

  it("the all-to-alls: out of place only (out must not alias input), on both backends", () => {
    for (const backend of ["webgpu", "cpu"] as const) {
      expect(placements("all_to_all", "default", backend, none)).toMatchObject([
        { opName: "symm_mem::all_to_all", resultAt: "out", outIsInput: false }, { na: expect.stringMatching(/no in-place variant/) },
      ]);
      expect(placements("all_to_all_vdev_2d", "default", backend, none)).toMatchObject([
        { opName: "symm_mem::all_to_all_vdev_2d", resultAt: "out", outIsInput: false }, { na: expect.stringMatching(/no in-place variant/) },
      ]);
    }
  });
  it("the fused ops: the fused op returns its results, no in-place form", () => {
    for (const backend of ["webgpu", "cpu"] as const) {
      expect(placements("fused_all_gather_matmul", "default", backend, none)).toMatchObject([
        { opName: "symm_mem::fused_all_gather_matmul", resultAt: "returned" }, { na: expect.stringMatching(/no in-place form/) },
      ]);
      expect(placements("fused_matmul_reduce_scatter", "default", backend, none)).toMatchObject([
        { opName: "symm_mem::fused_matmul_reduce_scatter", resultAt: "returned" }, { na: expect.stringMatching(/no in-place form/) },
      ]);
    }
  });
});
