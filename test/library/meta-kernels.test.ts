/**
 * The meta kernels of the built-in symm_mem ops: one per op of SYMM_MEM_OPS (a built-in op
 * added without one fails here), run through runMeta on the real definitions, with the output
 * shapes and dtypes per op and the kernels' error messages (the same strings
 * test/collectives/errors.test.ts pins on the real kernels).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLECTIVE_DTYPES as KERNEL_DTYPES, REDUCE_OPS as KERNEL_REDUCE_OPS } from "../../src/core/reduce-op.ts";
import type { DType } from "../../src/core/dtype.ts";
import { OpError } from "../../src/core/errors.ts";
import { findOp, Library, listOps } from "../../src/library/library.ts";
import { metaGroups, tensorMeta, type TensorMeta } from "../../src/library/meta.ts";
import { runMeta } from "../../src/library/run-meta.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { COLLECTIVE_DTYPES, REDUCE_OPS } from "../../src/ops/shape-checks.ts";
import {
  allGatherOutShape, reduceScatterOutShape, SYMM_MEM_METAS,
} from "../../src/ops/meta/symm-mem-meta.ts";
import { SYMM_MEM_NAMESPACE, SYMM_MEM_OPS } from "../../src/ops/symm_mem/definitions.ts";

const NAMES = SYMM_MEM_OPS.map((op) => parseSchema(op.schema).name);

const t = (shape: number[], dtype: DType = "float32"): TensorMeta => tensorMeta(shape, dtype);
const env = metaGroups({ world: 4, trio: 3, solo: 1 });
const run = (name: string, ...values: unknown[]) => runMeta(`symm_mem::${name}`, values, env);

// Registers the metas on the real symm_mem ops, unless their definitions already do.
let lib: Library | undefined;
beforeAll(() => {
  for (const name of NAMES) {
    const entry = findOp(`${SYMM_MEM_NAMESPACE}::${name}`);
    if (entry?.meta !== undefined) continue;
    lib ??= new Library(SYMM_MEM_NAMESPACE, "FRAGMENT");
    const meta = SYMM_MEM_METAS[name];
    if (meta !== undefined) lib.registerMeta(name, meta);
  }
});
afterAll(() => lib?.dispose());

describe("every built-in symm_mem op has a meta kernel", () => {
  it.each(NAMES)("%s", (name) => {
    expect(Object.hasOwn(SYMM_MEM_METAS, name), `SYMM_MEM_METAS has no meta kernel for symm_mem::${name}`).toBe(true);
    expect(typeof SYMM_MEM_METAS[name]).toBe("function");
    const entry = findOp(`symm_mem::${name}`);
    expect(entry?.meta, `symm_mem::${name} has no registered meta kernel`).toBe(SYMM_MEM_METAS[name]);
  });

  it("and no meta kernel names an op that does not exist", () => {
    expect(Object.keys(SYMM_MEM_METAS).sort()).toEqual([...NAMES].sort());
  });

  it("every op defined in symm_mem has one, whoever defined it", () => {
    const missing = listOps().filter((n) => n.startsWith("symm_mem::") && findOp(n)?.meta === undefined);
    expect(missing).toEqual([]);
  });

  it("every op has at least one accepted case below", () => {
    const covered = new Set(OK_CASES.map(([name]) => name));
    expect(NAMES.filter((n) => !covered.has(n))).toEqual([]);
  });

  it("the metas check the kernels' reduce ops and dtypes", () => {
    expect(REDUCE_OPS).toEqual(KERNEL_REDUCE_OPS);
    expect(COLLECTIVE_DTYPES).toEqual(KERNEL_DTYPES);
  });
});

const x23 = t([2, 3]);
const out6 = t([6]);
const u32 = t([6], "uint32");
const a2a = { input: t([10, 4]), out: t([16, 4]), inSplits: t([4], "int32"), oso: t([2, 4], "int32") };
const tile = t([4, 4]);

/** [op, arguments, expected: "input" | "out" | ... (that argument itself) or a TensorMeta, an array, undefined]. */
type Expected = string | TensorMeta | TensorMeta[] | undefined;
const OK_CASES: ReadonlyArray<readonly [string, readonly unknown[], Expected, string?]> = [
  ["one_shot_all_reduce", [x23, "sum", "world"], t([2, 3])],
  ["one_shot_all_reduce", [t([], "bfloat16"), "avg", "world"], t([], "bfloat16"), "0-d"],
  ["one_shot_all_reduce", [t([0], "int32"), "max", "solo"], t([0], "int32"), "empty"],
  ["one_shot_all_reduce_out", [x23, "prod", "world", t([2, 3])], "out"],
  ["one_shot_all_reduce_copy", [t([8], "float16"), t([2, 2], "float16"), "min", "world"], t([2, 2], "float16")],
  ["one_shot_all_reduce_copy_out", [t([8]), t([2, 2]), "sum", "world", t([2, 2])], "out"],
  ["two_shot_all_reduce_", [x23, "avg", "world"], "input"],
  ["two_shot_all_reduce_out", [x23, "sum", "world", t([2, 3])], "output"],
  ["multimem_all_reduce_", [t([5], "int32"), "sum", "trio"], "input"],
  ["multimem_one_shot_all_reduce", [x23, "sum", "world"], t([2, 3])],
  ["multimem_one_shot_all_reduce_out", [x23, "sum", "world", t([2, 3])], "out"],
  ["multimem_one_shot_reduce_out", [x23, "sum", 3, "world", t([2, 3])], "out"],
  ["multimem_all_gather_out", [x23, "world", t([8, 3])], "out"],
  ["multimem_all_gather_out", [x23, "world", t([24], "float32")], "out", "the kernel checks the count only"],
  ["multimem_all_gather_out", [t([2], "uint8"), "trio", t([6], "uint8")], "out", "any dtype"],
  ["reduce_scatter_out", [t([8]), "world", false, t([2])], "output"],
  ["reduce_scatter_out", [t([3, 8]), "world", true, t([3, 2])], "output", "split_last_dim"],
  ["reduce_scatter_out", [t([6, 5]), "trio", false, t([2, 5])], "output"],
  ["reduce_scatter_out", [t([0, 8]), "world", true, t([0])], "output", "empty"],
  ["all_to_all_vdev", [a2a.input, a2a.out, a2a.inSplits, a2a.oso, "world"], undefined],
  ["all_to_all_vdev_2d", [a2a.input, a2a.out, t([8], "int32"), t([2, 8], "int32"), "world"], undefined],
  ["all_to_all_vdev_2d", [a2a.input, t([20, 4]), t([12], "int32"), t([2, 12], "int32"), "trio", 16], undefined, "major_align"],
  ["all_to_all_vdev_2d_offset", [a2a.input, a2a.out, t([2, 8], "int32"), t([2, 8], "int32"), "world"], undefined],
  ["_make_a2a_exchange_plan", [t([4], "int32"), t([4], "int32"), t([4], "int32"), t([4], "int32"), "world"], undefined],
  ["_all_to_all_get", [a2a.input, a2a.out, t([4], "int32"), t([4], "int32"), t([4], "int32"), "world", null, null, null], undefined],
  ["all_to_all", [t([8, 3], "bfloat16"), t([24], "bfloat16"), "world"], undefined, "any shape of the same numel"],
  ["all_to_all", [t([0]), t([0]), "trio"], undefined, "empty"],
  ["tile_reduce", [tile, t([4, 4]), 0, "world"], undefined],
  ["tile_reduce", [t([2, 8], "bfloat16"), t([2, 8], "bfloat16"), 3, "world", "max"], undefined],
  ["multi_root_tile_reduce", [[tile, tile], t([4, 4]), [2, 0], "world"], undefined],
  ["multi_root_tile_reduce", [[], t([4, 4]), [], "world", "avg"], undefined, "no tiles"],
  ["broadcast", [t([3], "uint8"), 2, "trio"], "input"],
  ["get_remote_tensors", [x23, "trio"], [t([2, 3]), t([2, 3]), t([2, 3])]],
  ["get_remote_tensors", [x23, "solo"], [t([2, 3])]],
  ["stream_write_value32_", [u32, 5, 0xffffffff], "input"],
  ["memset32_", [u32, 2, 7, 4], "input"],
  ["fused_all_gather_matmul", [t([2, 3, 5]), [t([5, 4])], 1, "trio"], [t([2, 9, 5]), [t([2, 9, 4])]] as never],
  ["fused_all_gather_matmul", [t([2, 3]), [t([3, 4])], 0, "trio", { return_A: false }], [null, [t([6, 4])]] as never, "no A"],
  ["fused_matmul_reduce_scatter", [t([6, 5]), t([5, 4]), "avg", 0, "trio"], t([2, 4])],
];

describe("meta kernels give the outputs", () => {
  it.each(OK_CASES.map(([name, values, expected, note]) => [`${name}${note ? ` (${note})` : ""}`, name, values, expected] as const))(
    "%s",
    (_label, name, values, expected) => {
      const result = run(name, ...values);
      if (typeof expected === "string") {
        const schema = findOp(`symm_mem::${name}`)!.schema;
        const at = schema.args.findIndex((a) => a.name === expected);
        expect(result).toBe(values[at]);
      } else {
        expect(result).toEqual(expected);
      }
    },
  );

  it("a new tensor is never an argument, and is frozen", () => {
    const r = run("one_shot_all_reduce", x23, "sum", "world") as TensorMeta;
    expect(r).not.toBe(x23);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it("real tensors work as metas; an aliased return is the caller's object", () => {
    class FakeCpuTensor {
      readonly backend = "cpu";
      readonly data = new Float32Array(6);
      constructor(readonly shape: number[], readonly dtype: DType = "float32") {}
    }
    const input = new FakeCpuTensor([6]);
    const out = new FakeCpuTensor([6]);
    expect(run("one_shot_all_reduce_out", input, "sum", "world", out)).toBe(out);
    expect(() => run("stream_write_value32_", input, 0, 1)).toThrow(
      "symm_mem::stream_write_value32_: input must be a flat, contiguous uint32 tensor; found a cpu float32[6] tensor",
    );
  });
});

const ERROR_CASES: ReadonlyArray<readonly [string, readonly unknown[], string]> = [
  // group
  ["one_shot_all_reduce", [x23, "sum", "nope"], 'unknown group "nope"'],
  // reduce op and dtype (src/core/reduce-op.ts)
  ["one_shot_all_reduce", [x23, "mean", "world"],
    'symm_mem::one_shot_all_reduce: argument "reduce_op" expected one of sum, avg, max, min, prod, found "mean"'],
  ["two_shot_all_reduce_", [t([2], "int32"), "avg", "world"],
    'symm_mem::two_shot_all_reduce_: reduce_op "avg" is not valid for dtype int32: expected a floating dtype (float32, float16, bfloat16)'],
  ["multimem_all_reduce_", [t([4], "uint8"), "sum", "world"],
    'symm_mem::multimem_all_reduce_: argument "input" has dtype uint8; expected one of float32, float16, bfloat16, int32'],
  ["reduce_scatter_out", [t([4], "uint8"), "world", false, t([1], "uint8")], 'symm_mem::reduce_scatter_out: argument "input" has dtype uint8'],
  ["one_shot_all_reduce_copy", [t([4], "uint32"), t([4], "uint32"), "sum", "world"],
    'symm_mem::one_shot_all_reduce_copy: argument "input" has dtype uint32'],
  // dtype mismatch
  ["one_shot_all_reduce_out", [t([6]), "sum", "world", t([6], "int32")],
    'symm_mem::one_shot_all_reduce_out: argument "out" expected dtype float32 (the dtype of "input"), found int32'],
  ["one_shot_all_reduce_copy", [t([6]), t([4], "int32"), "sum", "world"],
    'symm_mem::one_shot_all_reduce_copy: argument "local_input" expected dtype float32 (the dtype of "symm_buffer"), found int32'],
  ["one_shot_all_reduce_copy_out", [t([8]), t([4]), "sum", "world", t([4], "float16")],
    'symm_mem::one_shot_all_reduce_copy_out: argument "out" expected dtype float32 (the dtype of "local_input"), found float16'],
  ["multimem_all_gather_out", [t([2]), "world", t([8], "int32")],
    'symm_mem::multimem_all_gather_out: argument "out" expected dtype float32 (the dtype of "input"), found int32'],
  ["reduce_scatter_out", [t([8]), "world", false, t([2], "bfloat16")],
    'symm_mem::reduce_scatter_out: argument "output" expected dtype float32 (the dtype of "input"), found bfloat16'],
  // shape and count
  ["two_shot_all_reduce_out", [out6, "sum", "world", t([2, 3])],
    'symm_mem::two_shot_all_reduce_out: argument "output" expected shape [6] (the shape of input), found [2, 3]'],
  ["one_shot_all_reduce_out", [out6, "sum", "world", t([5])],
    'symm_mem::one_shot_all_reduce_out: argument "out" is too small: expected 6 elements (the shape of input), found 5'],
  ["multimem_one_shot_all_reduce_out", [out6, "sum", "world", t([7])],
    'symm_mem::multimem_one_shot_all_reduce_out: argument "out" is too large: expected 6 elements (the shape of input), found 7'],
  ["one_shot_all_reduce_copy", [t([3]), t([4]), "sum", "world"],
    'symm_mem::one_shot_all_reduce_copy: argument "symm_buffer" is too small: expected at least 4 elements (the numel of local_input), found 3'],
  ["one_shot_all_reduce_copy_out", [t([8]), t([4]), "sum", "world", t([3])],
    'symm_mem::one_shot_all_reduce_copy_out: argument "out" is too small: expected 4 elements (the shape of local_input), found 3'],
  ["one_shot_all_reduce_copy_out", [t([8]), t([4]), "sum", "world", t([2, 2])],
    'argument "out" expected shape [4] (the shape of local_input), found [2, 2]'],
  ["multimem_all_gather_out", [t([3]), "trio", t([8])],
    'symm_mem::multimem_all_gather_out: argument "out" is too small: expected 9 elements (the numel of input × group size 3), found 8'],
  ["reduce_scatter_out", [t([7]), "trio", false, t([2])],
    'symm_mem::reduce_scatter_out: argument "input" has 7 elements, which is not divisible by the group size 3: expected a multiple of 3'],
  ["reduce_scatter_out", [t([2, 4]), "trio", true, t([2])],
    'symm_mem::reduce_scatter_out: the last dim of argument "input" (shape [2, 4]) is 4, which is not divisible by the group size 3: expected a multiple of 3'],
  ["reduce_scatter_out", [t([]), "solo", true, t([])],
    "symm_mem::reduce_scatter_out: split_last_dim needs an input with at least one dimension, found a 0-d tensor"],
  ["reduce_scatter_out", [t([12]), "trio", false, t([3])],
    'symm_mem::reduce_scatter_out: argument "output" is too small: expected 4 elements (the numel of input / 3), found 3'],
  ["reduce_scatter_out", [t([2, 6]), "trio", true, t([5])],
    'symm_mem::reduce_scatter_out: argument "output" is too large: expected 4 elements (the numel of input / 3), found 5'],
  // roots
  ["multimem_one_shot_reduce_out", [t([2]), "sum", 3, "trio", t([2])],
    'symm_mem::multimem_one_shot_reduce_out: argument "root" expected a rank of group "trio" in [0, 2], found 3'],
  ["broadcast", [t([2]), -1, "world"], 'symm_mem::broadcast: argument "root" expected a rank of group "world" in [0, 3], found -1'],
  // stream_write_value32_ and memset32_ (PyTorch's messages)
  ["memset32_", [t([6]), 0, 1, 1], "symm_mem::memset32_: input must be a flat, contiguous uint32 tensor; found a regular float32[6] tensor"],
  ["memset32_", [t([2, 3], "uint32"), 0, 1, 1], "input must be a flat, contiguous uint32 tensor"],
  ["memset32_", [u32, -1, 1, 1], "symm_mem::memset32_: offset must be greater than or equal to 0, found -1"],
  ["memset32_", [u32, 0, 2 ** 32, 1], "val must be in the range of uint32 ([0, 4294967295]), found 4294967296"],
  ["memset32_", [u32, 0, -1, 1], "val must be in the range of uint32"],
  ["memset32_", [u32, 0, 1, 0], "symm_mem::memset32_: count must be a positive integer, found 0"],
  ["memset32_", [u32, 4, 1, 3], "symm_mem::memset32_: offset + count exceeded the numel of the input: 4 + 3 = 7 > 6"],
  ["stream_write_value32_", [t([2]), 0, 1], "symm_mem::stream_write_value32_: input must be a flat, contiguous uint32 tensor"],
  ["stream_write_value32_", [u32, -2, 1], "offset must be greater than or equal to 0, found -2"],
  ["stream_write_value32_", [u32, 6, 1], "symm_mem::stream_write_value32_: offset must be less than the numel of the input (6), found 6"],
  ["stream_write_value32_", [u32, 0, 2 ** 32], "val must be in the range of uint32"],
  // all_to_all, the exchange-plan pair
  ["all_to_all", [t([6]), t([6], "int32"), "world"], 'symm_mem::all_to_all: argument "out" expected dtype float32 (the dtype of "input"), found int32'],
  ["all_to_all", [t([8]), t([4]), "world"], 'symm_mem::all_to_all: argument "out" expected 8 elements (the numel of input), found 4'],
  ["all_to_all", [t([7]), t([7]), "trio"],
    'symm_mem::all_to_all: argument "input" has 7 elements, which is not divisible by the group size 3 (one equal slot per rank of group "trio")'],
  ["_make_a2a_exchange_plan", [t([4]), t([4], "int32"), t([4], "int32"), t([4], "int32"), "world"],
    'symm_mem::_make_a2a_exchange_plan: argument "in_splits" expected dtype int32 (splits and offsets), found float32'],
  ["_make_a2a_exchange_plan", [t([4], "int32"), t([4], "int32"), t([3], "int32"), t([4], "int32"), "world"],
    'symm_mem::_make_a2a_exchange_plan: argument "out_splits" expected shape [4] (one entry per rank of group "world"), found [3]'],
  ["_all_to_all_get", [a2a.input, t([16, 3]), t([4], "int32"), t([4], "int32"), t([4], "int32"), "world", null, null, null],
    'symm_mem::_all_to_all_get: argument "out" expected rows of 4 elements'],
  ["_all_to_all_get", [a2a.input, a2a.out, t([4], "int32"), t([4], "int32"), t([4], "uint32"), "world", null, null, null],
    'argument "dst_offsets" expected dtype int32'],
  ["_all_to_all_get", [a2a.input, a2a.out, t([4], "int32"), t([4], "int32"), t([4], "int32"), "world", t([8], "int32"), null, null],
    'symm_mem::_all_to_all_get: argument "b_start" expected None (per-block start, length and ready signals are not supported'],
  // all_to_all_vdev*
  ["all_to_all_vdev", [t([]), a2a.out, a2a.inSplits, a2a.oso, "world"],
    'symm_mem::all_to_all_vdev: argument "input" expected at least 1 dimension, found a 0-d tensor'],
  ["all_to_all_vdev", [a2a.input, t([16, 4], "int32"), a2a.inSplits, a2a.oso, "world"],
    'argument "out" expected dtype float32 (the dtype of "input"), found int32'],
  ["all_to_all_vdev", [a2a.input, t([16, 3]), a2a.inSplits, a2a.oso, "world"],
    'argument "out" expected rows of 4 elements (the stride of dim 0 of "input", shape [10, 4]), found 3 (shape [16, 3])'],
  ["all_to_all_vdev", [a2a.input, a2a.out, t([4]), a2a.oso, "world"],
    'symm_mem::all_to_all_vdev: argument "in_splits" expected dtype int32 (splits and offsets), found float32'],
  ["all_to_all_vdev", [a2a.input, a2a.out, a2a.inSplits, t([2, 4], "uint32"), "world"],
    'argument "out_splits_offsets" expected dtype int32 (splits and offsets), found uint32'],
  ["all_to_all_vdev", [a2a.input, a2a.out, t([3], "int32"), a2a.oso, "world"],
    'symm_mem::all_to_all_vdev: argument "in_splits" expected 4 elements (one split per rank of group "world"), found 3'],
  ["all_to_all_vdev", [a2a.input, a2a.out, a2a.inSplits, t([2, 3], "int32"), "world"],
    'argument "out_splits_offsets" expected shape [2, 4] (splits and offsets for each rank of group "world"), found [2, 3]'],
  ["all_to_all_vdev", [a2a.input, a2a.out, a2a.inSplits, t([8], "int32"), "world"], "expected shape [2, 4]"],
  ["all_to_all_vdev_2d", [a2a.input, a2a.out, t([8], "int32"), t([2, 8], "int32"), "world", 0],
    'symm_mem::all_to_all_vdev_2d: argument "major_align" must be positive, found 0'],
  ["all_to_all_vdev_2d", [a2a.input, a2a.out, t([6], "int32"), t([2, 6], "int32"), "world"],
    'argument "in_splits" (shape [6]) has 6 splits, which is not divisible by the group size 4: expected group size × experts'],
  ["all_to_all_vdev_2d", [a2a.input, a2a.out, t([4, 2], "int32"), t([2, 8], "int32"), "world"],
    'argument "in_splits" expected a 1-d tensor (group size × experts splits), found shape [4, 2]'],
  ["all_to_all_vdev_2d", [a2a.input, a2a.out, t([8], "int32"), t([2, 4], "int32"), "world"],
    'argument "out_splits_offsets" expected shape [2, 8] (splits and offsets, one column per split of in_splits), found [2, 4]'],
  ["all_to_all_vdev_2d_offset", [a2a.input, a2a.out, t([8], "int32"), t([2, 8], "int32"), "world"],
    'symm_mem::all_to_all_vdev_2d_offset: argument "in_splits_offsets" expected shape [2, nsplits] (splits and offsets), found [8]'],
  ["all_to_all_vdev_2d_offset", [a2a.input, a2a.out, t([2, 6], "int32"), t([2, 6], "int32"), "world"],
    "has 6 splits, which is not divisible by the group size 4"],
  ["all_to_all_vdev_2d_offset", [a2a.input, a2a.out, t([2, 8], "int32"), t([2, 4], "int32"), "world"],
    'argument "out_splits_offsets" expected shape [2, 8]'],
  ["all_to_all_vdev_2d_offset", [a2a.input, t([16]), t([2, 8], "int32"), t([2, 8], "int32"), "world"],
    'argument "out" expected rows of 4 elements'],
  // tile_reduce and multi_root_tile_reduce
  ["tile_reduce", [t([16]), t([16]), 0, "world"], 'symm_mem::tile_reduce: argument "in_tile" expected a 2-d tile, found shape [16]'],
  ["tile_reduce", [tile, t([4, 4, 1]), 0, "world"], 'argument "out_tile" expected a 2-d tile, found shape [4, 4, 1]'],
  ["tile_reduce", [tile, t([4, 4], "float16"), 0, "world"], 'argument "out_tile" expected dtype float32 (the dtype of "in_tile"), found float16'],
  ["tile_reduce", [tile, t([2, 8]), 0, "world"], 'argument "out_tile" expected shape [4, 4] (the shape of in_tile), found [2, 8]'],
  ["tile_reduce", [tile, t([4, 4]), 4, "world"], 'symm_mem::tile_reduce: argument "root" expected a rank of group "world" in [0, 3], found 4'],
  ["tile_reduce", [tile, t([4, 4]), 0, "world", "mean"], 'argument "reduce_op" expected one of sum, avg, max, min, prod, found "mean"'],
  ["tile_reduce", [t([4, 4], "uint8"), t([4, 4], "uint8"), 0, "world"], 'argument "in_tile" has dtype uint8'],
  ["multi_root_tile_reduce", [[tile], t([4, 4]), [0, 1], "world"],
    'symm_mem::multi_root_tile_reduce: argument "roots" expected 1 roots (one per tile of in_tiles), found 2'],
  ["multi_root_tile_reduce", [[tile, tile], t([4, 4]), [0, 4], "world"],
    'argument "roots" expected ranks of group "world" in [0, 3], found 4 at index 1'],
  ["multi_root_tile_reduce", [[tile, tile, tile], t([4, 4]), [1, 2, 1], "world"],
    'argument "roots" lists rank 1 at indices 0 and 2: a rank is the root of at most one tile'],
  ["multi_root_tile_reduce", [[tile, t([4, 2])], t([4, 4]), [0, 1], "world"],
    'argument "in_tiles[1]" expected shape [4, 4] (the shape of out_tile), found [4, 2]'],
  ["multi_root_tile_reduce", [[t([4, 4], "int32")], t([4, 4]), [0], "world"],
    'argument "in_tiles[0]" expected dtype float32 (the dtype of "out_tile"), found int32'],
  ["multi_root_tile_reduce", [[t([16])], t([4, 4]), [0], "world"], 'argument "in_tiles[0]" expected a 2-d tile, found shape [16]'],
  ["multi_root_tile_reduce", [[tile], t([16]), [0], "world"], 'argument "out_tile" expected a 2-d tile'],
  // the binder, before any meta
  ["one_shot_all_reduce", [x23, 3, "world"], 'symm_mem::one_shot_all_reduce: argument "reduce_op" expected str, found number 3'],
  ["get_remote_tensors", [x23], 'symm_mem::get_remote_tensors: missing required argument "group_name" (str)'],
];

describe("meta kernels reject what the kernels reject, with their messages", () => {
  it.each(ERROR_CASES)("%s: %s", (name, values, message) => {
    const call = () => run(name, ...values);
    expect(call).toThrow(OpError);
    expect(call).toThrow(message);
  });
});

describe("output shapes for the high-level API", () => {
  it("allGatherOutShape: dim 0 times the group size; [size] for 0-d", () => {
    expect(allGatherOutShape([2, 3], 4)).toEqual([8, 3]);
    expect(allGatherOutShape([], 4)).toEqual([4]);
    expect(allGatherOutShape([0], 4)).toEqual([0]);
  });

  it("reduceScatterOutShape: the last dim split, or dim 0, or flat; the kernel's errors otherwise", () => {
    const op = "symm_mem::reduce_scatter_out";
    expect(reduceScatterOutShape(op, [3, 8], 4, true)).toEqual([3, 2]);
    expect(reduceScatterOutShape(op, [8, 3], 4, false)).toEqual([2, 3]);
    expect(reduceScatterOutShape(op, [2, 6], 4, false)).toEqual([3]);
    expect(reduceScatterOutShape(op, [], 1, false)).toEqual([1]);
    expect(() => reduceScatterOutShape(op, [7], 3, false)).toThrow("not divisible by the group size 3");
    expect(() => reduceScatterOutShape(op, [], 2, true)).toThrow("found a 0-d tensor");
    // Whatever it gives, the meta accepts as output.
    for (const [shape, split] of [[[3, 8], true], [[8, 3], false], [[2, 6], false]] as const) {
      const output = t(reduceScatterOutShape(op, shape, 4, split));
      expect(run("reduce_scatter_out", t([...shape]), "world", split, output)).toBe(output);
    }
    const gathered = t(allGatherOutShape([2, 3], 3));
    expect(run("multimem_all_gather_out", x23, "trio", gathered)).toBe(gathered);
  });
});
