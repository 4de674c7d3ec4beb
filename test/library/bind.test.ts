import { describe, expect, it } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { bindArguments, describeValue } from "../../src/library/bind.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";

/** A stand-in tensor type: the library only ever asks `isTensor`. */
class FakeTensor {
  constructor(readonly id: number) {}
}
const isTensor = (x: unknown): boolean => x instanceof FakeTensor;
const t0 = new FakeTensor(0);
const t1 = new FakeTensor(1);

const allReduceOut = parseSchema(
  "symm_mem::one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
);
const vdev2d = parseSchema(
  "symm_mem::all_to_all_vdev_2d(Tensor input, Tensor(a!) out, Tensor in_splits, Tensor(a!) out_splits_offsets, str group_name, int? major_align=None) -> ()",
);
const tiles = parseSchema(
  "symm_mem::multi_root_tile_reduce(Tensor[] in_tiles, Tensor(a!) out_tile, int[] roots, str group_name, str reduce_op='sum') -> ()",
);
const add = parseSchema("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
const kinds = parseSchema(
  "test::kinds(int i, float f, bool b, str s, Scalar sc, Tensor? t, int[]? l, float[] fl=[0.5], int d=-1, *, bool k=False) -> ()",
);

const bind = (schema: typeof add, ...values: unknown[]) => bindArguments(schema, values, isTensor);

describe("bindArguments binds", () => {
  it("positional arguments in schema order", () => {
    const b = bind(allReduceOut, t0, "sum", "world", t1);
    expect(Object.keys(b)).toEqual(["input", "reduce_op", "group_name", "out"]);
    expect(b).toEqual({ input: t0, reduce_op: "sum", group_name: "world", out: t1 });
    expect(b.input).toBe(t0);
    expect(Object.isFrozen(b)).toBe(true);
    expect(Object.getPrototypeOf(b)).toBeNull();
  });

  it("named arguments from a trailing plain object", () => {
    expect(bind(allReduceOut, t0, { out: t1, group_name: "world", reduce_op: "max" })).toEqual({
      input: t0,
      reduce_op: "max",
      group_name: "world",
      out: t1,
    });
    expect(bind(allReduceOut, { input: t0, reduce_op: "sum", group_name: "g", out: t1 }).group_name).toBe("g");
  });

  it("a null-prototype object as named arguments", () => {
    const named = Object.assign(Object.create(null) as Record<string, unknown>, { reduce_op: "sum", group_name: "g", out: t1 });
    expect(bind(allReduceOut, t0, named).out).toBe(t1);
  });

  it("a tensor that is a plain object positionally, never as named arguments", () => {
    const plainTensor = { data: [1] };
    const isPlainTensor = (x: unknown) => x === plainTensor || x instanceof FakeTensor;
    const b = bindArguments(parseSchema("f(Tensor a, Tensor b) -> ()"), [t0, plainTensor], isPlainTensor);
    expect(b.b).toBe(plainTensor);
  });

  it("defaults for missing arguments, and null for an optional without one", () => {
    expect(bind(vdev2d, t0, t1, t0, t1, "world").major_align).toBeNull();
    expect(bind(vdev2d, t0, t1, t0, t1, "world", 16).major_align).toBe(16);
    expect(bind(tiles, [t0, t1], t1, [0, 1], "world").reduce_op).toBe("sum");
    expect(bind(add, t0, t1).alpha).toBe(1);
    expect(bind(add, t0, t1, { alpha: 2.5 }).alpha).toBe(2.5);
    const b = bind(kinds, 1, 2, true, "s", false);
    expect(b).toMatchObject({ t: null, l: null, fl: [0.5], d: -1, k: false });
  });

  it("a fresh copy of a list default on each call", () => {
    const first = bind(kinds, 1, 2, true, "s", 1).fl as number[];
    first.push(9);
    expect(bind(kinds, 1, 2, true, "s", 1).fl).toEqual([0.5]);
  });

  it("undefined as not given, positionally or by name", () => {
    expect(bind(vdev2d, t0, t1, t0, t1, "world", undefined).major_align).toBeNull();
    expect(bind(add, t0, t1, { alpha: undefined }).alpha).toBe(1);
    expect(bind(kinds, 1, 2, true, "s", 1, undefined, undefined, undefined, 5, { t: t0 })).toMatchObject({ t: t0, d: 5 });
  });

  it("null for optional types", () => {
    expect(bind(vdev2d, t0, t1, t0, t1, "world", null).major_align).toBeNull();
    expect(bind(kinds, 1, 2, true, "s", 1, null, null).l).toBeNull();
  });

  it("every accepted kind", () => {
    const b = bind(kinds, -3, 7, false, "", true, t0, [1, 2], [1, 2.5], 0, { k: true });
    expect(b).toEqual({ i: -3, f: 7, b: false, s: "", sc: true, t: t0, l: [1, 2], fl: [1, 2.5], d: 0, k: true });
    expect(bind(kinds, 1, 1.5, true, "s", 2.25).sc).toBe(2.25);
    expect(bind(tiles, [], t1, [], "world").in_tiles).toEqual([]);
  });
});

describe("bindArguments errors", () => {
  const cases: ReadonlyArray<readonly [string, () => unknown, string]> = [
    ["str given a number", () => bind(allReduceOut, t0, 3, "w", t1), 'symm_mem::one_shot_all_reduce_out: argument "reduce_op" expected str, found number 3'],
    ["Tensor given a string", () => bind(allReduceOut, "x", "sum", "w", t1), 'argument "input" expected Tensor, found string "x"'],
    ["Tensor given null", () => bind(allReduceOut, null, "sum", "w", t1), 'argument "input" expected Tensor, found null'],
    ["Tensor given an instance", () => bind(allReduceOut, new Map(), "sum", "w", t1), 'argument "input" expected Tensor, found object Map'],
    ["int given a fraction", () => bind(kinds, 1.5, 2, true, "s", 1), 'argument "i" expected int, found number 1.5'],
    ["int given a bigint", () => bind(kinds, 1n, 2, true, "s", 1), 'argument "i" expected int, found bigint 1n'],
    ["int given a tensor", () => bind(kinds, t0, 2, true, "s", 1), 'argument "i" expected int, found tensor'],
    ["float given NaN", () => bind(kinds, 1, Number.NaN, true, "s", 1), 'argument "f" expected float, found number NaN'],
    ["float given Infinity", () => bind(kinds, 1, Infinity, true, "s", 1), 'argument "f" expected float, found number Infinity'],
    ["bool given a number", () => bind(kinds, 1, 2, 1, "s", 1), 'argument "b" expected bool, found number 1'],
    ["Scalar given a string", () => bind(kinds, 1, 2, true, "s", "1"), 'argument "sc" expected Scalar, found string "1"'],
    ["Tensor? given a number", () => bind(kinds, 1, 2, true, "s", 1, 5), 'argument "t" expected Tensor?, found number 5'],
    ["int[] given a number", () => bind(kinds, 1, 2, true, "s", 1, null, 3), 'argument "l" expected int[]?, found number 3'],
    ["int[] given a bad element", () => bind(tiles, [t0], t1, [0, "1"], "w"), 'argument "roots" expected int[], found array with string "1" at index 1'],
    ["Tensor[] given a bad element", () => bind(tiles, [t0, 2], t1, [0], "w"), 'argument "in_tiles" expected Tensor[], found array with number 2 at index 1'],
    ["Tensor[] given a tensor", () => bind(tiles, t0, t1, [0], "w"), 'argument "in_tiles" expected Tensor[], found tensor'],
    ["non-optional given null", () => bind(allReduceOut, t0, null, "w", t1), 'argument "reduce_op" expected str, found null'],
    ["a plain object mid-list", () => bind(allReduceOut, {}, "sum", "w", t1), 'argument "input" expected Tensor, found plain object'],
    ["a function", () => bind(allReduceOut, t0, function go() {}, "w", t1), 'argument "reduce_op" expected str, found function go'],
    ["missing required", () => bind(allReduceOut, t0, "sum", "w"), 'symm_mem::one_shot_all_reduce_out: missing required argument "out" (Tensor)'],
    ["missing required by undefined", () => bind(allReduceOut, t0, undefined, "w", t1), 'missing required argument "reduce_op" (str)'],
    ["missing kwarg-only", () => bind(parseSchema("f(Tensor a, *, int k) -> ()"), t0), 'f: missing required argument "k" (int)'],
    ["too many positionals", () => bind(allReduceOut, t0, "sum", "w", t1, t0), "symm_mem::one_shot_all_reduce_out: expected at most 4 positional arguments, found 5"],
    ["kwarg-only given positionally", () => bind(add, t0, t1, 2), "aten::add.Tensor: expected at most 2 positional arguments (keyword-only: alpha), found 3"],
    ["unknown named", () => bind(allReduceOut, t0, "sum", "w", t1, { outt: t1 }), 'symm_mem::one_shot_all_reduce_out: unknown argument "outt"; expected one of: input, reduce_op, group_name, out'],
    ["given twice", () => bind(allReduceOut, t0, "sum", "w", t1, { reduce_op: "max" }), 'argument "reduce_op" given both by position (index 1) and by name'],
    ["wrong type by name", () => bind(add, t0, t1, { alpha: "2" }), 'aten::add.Tensor: argument "alpha" expected Scalar, found string "2"'],
  ];

  it.each(cases)("%s", (_label, call, message) => {
    expect(call).toThrow(OpError);
    expect(call).toThrow(message);
  });

  it("describes values for messages", () => {
    expect(describeValue("a".repeat(50), isTensor)).toBe(`string "${"a".repeat(40)}..."`);
    expect(describeValue(undefined, isTensor)).toBe("undefined");
    expect(describeValue([1, 2], isTensor)).toBe("array of length 2");
    expect(describeValue(Symbol("s"), isTensor)).toBe("Symbol(s)");
    expect(describeValue(Object.create(null), isTensor)).toBe("plain object");
  });
});
