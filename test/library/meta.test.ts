/**
 * The meta kernel contract: registration (registerMeta, define's `meta` option), runMeta's
 * binding and context, the "no meta kernel" error naming the op, and the check of a meta
 * kernel's result against the schema's returns.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { findOp } from "../../src/library/library.ts";
import {
  isTensorMeta, metaGroups, tensorMeta, type MetaContext, type MetaKernel, type TensorMeta,
} from "../../src/library/meta.ts";
import { metaKernelOf, runMeta } from "../../src/library/run-meta.ts";
import { disposeScopedLibraries, scopedLibrary as library } from "./scoped-library.ts";

afterEach(() => {
  disposeScopedLibraries();
  vi.restoreAllMocks();
});

const env = metaGroups({ world: 4, pair: 2 });
const f32 = (...shape: number[]): TensorMeta => tensorMeta(shape, "float32");

describe("TensorMeta", () => {
  it("tensorMeta copies and freezes; isTensorMeta accepts anything with a shape and a known dtype", () => {
    const shape = [2, 3];
    const t = tensorMeta(shape, "bfloat16");
    shape.push(4);
    expect(t).toEqual({ shape: [2, 3], dtype: "bfloat16" });
    expect(Object.isFrozen(t) && Object.isFrozen(t.shape)).toBe(true);
    class RealTensor {
      readonly shape = [4];
      readonly dtype = "int32";
      readonly data = new Int32Array(4);
    }
    expect(isTensorMeta(new RealTensor())).toBe(true);
    expect(isTensorMeta({ shape: [], dtype: "uint8" })).toBe(true);
    for (const bad of [null, 3, [], { shape: [2] }, { dtype: "float32" }, { shape: [-1], dtype: "float32" },
      { shape: [1.5], dtype: "float32" }, { shape: [2], dtype: "float64" }, { shape: "2", dtype: "float32" }]) {
      expect(isTensorMeta(bad)).toBe(false);
    }
    expect(() => tensorMeta([2, -1], "float32")).toThrow(OpError);
    expect(() => tensorMeta([2], "f32" as never)).toThrow(/tensorMeta: expected a shape of non-negative integers and a dtype/);
  });

  it("metaGroups answers group sizes and names the known groups for an unknown one", () => {
    expect(env.groupSize("world")).toBe(4);
    expect(() => env.groupSize("nope")).toThrow('unknown group "nope": known groups are "world", "pair"');
    expect(() => metaGroups({ world: 0 })).toThrow('metaGroups: group "world" expected a positive integer size, found 0');
    expect(() => metaGroups({}).groupSize("world")).toThrow("known groups are none");
  });
});

describe("registering meta kernels", () => {
  it("define's meta option registers it with the definition", () => {
    const meta: MetaKernel = (args) => args.x;
    const def = library("test_meta_1", "DEF").define("f(Tensor(a!) x) -> Tensor(a!)", { meta });
    expect(def.entry.meta).toBe(meta);
    expect(metaKernelOf(def.entry)).toBe(meta);
  });

  it("a bad meta option defines nothing", () => {
    const lib = library("test_meta_2", "DEF");
    expect(() => lib.define("f(Tensor x) -> Tensor", { meta: {} as MetaKernel })).toThrow(
      "test_meta_2::f: expected a meta kernel function, found object",
    );
    expect(findOp("test_meta_2::f")).toBeUndefined();
    expect(() => lib.define("g(Tensor x) -> Tensor", { symmMemArgs: ["y"], meta: (a) => a.x })).toThrow(/"y" is not an argument/);
    expect(findOp("test_meta_2::g")).toBeUndefined();
  });
});

describe("runMeta", () => {
  it("binds by schema as the dispatcher does and passes schema and groupSize", () => {
    const seen: Array<{ args: Readonly<Record<string, unknown>>; ctx: MetaContext }> = [];
    const lib = library("test_meta_3", "DEF");
    const def = lib.define("gather(Tensor input, str group_name, *, int pad=0) -> Tensor");
    lib.registerMeta("gather", (args, ctx) => {
      seen.push({ args, ctx });
      const input = args.input as TensorMeta;
      return tensorMeta([input.shape[0] * ctx.groupSize(args.group_name as string) + (args.pad as number)], input.dtype);
    });
    const x = f32(3);
    expect(runMeta("test_meta_3::gather", [x, "world"], env)).toEqual({ shape: [12], dtype: "float32" });
    expect(runMeta("test_meta_3::gather.default", [x, "pair", { pad: 1 }], env)).toEqual({ shape: [7], dtype: "float32" });
    expect(runMeta("test_meta_3::gather", [{ input: x, group_name: "world" }], env)).toEqual({ shape: [12], dtype: "float32" });
    // A TensorMeta is a plain object, yet as the last value it is a tensor, not named arguments.
    lib.define("last(str group_name, Tensor x) -> Tensor", { meta: (args) => args.x });
    expect(runMeta("test_meta_3::last", ["world", x], env)).toBe(x);
    expect(seen[0].args.input).toBe(x);
    expect(seen[0].args.pad).toBe(0);
    expect(Object.isFrozen(seen[0].args)).toBe(true);
    expect(seen[0].ctx.schema).toBe(def.schema);
    expect(() => runMeta("test_meta_3::gather", [x, "nope"], env)).toThrow('unknown group "nope"');
  });

  it("reports bad arguments with the binder's messages", () => {
    const lib = library("test_meta_4", "DEF");
    lib.define("f(Tensor x, int n) -> Tensor", { meta: (args) => tensorMeta([args.n as number], "float32") });
    expect(() => runMeta("test_meta_4::f", [f32(2), 1.5], env)).toThrow('test_meta_4::f: argument "n" expected int, found number 1.5');
    expect(() => runMeta("test_meta_4::f", [{ shape: [2], dtype: "float64" }, 1], env)).toThrow(OpError);
    expect(() => runMeta("test_meta_4::f", [3, 1], env)).toThrow('argument "x" expected Tensor, found number 3');
  });

  it("names the op that has no meta kernel, and how to register one", () => {
    const lib = library("test_meta_5", "DEF");
    lib.define("plain(Tensor x) -> Tensor");
    lib.define("plain.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)");
    expect(() => runMeta("test_meta_5::plain", [f32(1)], env)).toThrow(OpError);
    expect(() => runMeta("test_meta_5::plain", [f32(1)], env)).toThrow(
      'test_meta_5::plain has no meta kernel: register one with lib.registerMeta("plain", fn)',
    );
    const out = findOp("test_meta_5::plain.out");
    expect(() => metaKernelOf(out!)).toThrow(
      'test_meta_5::plain.out has no meta kernel: register one with lib.registerMeta("plain.out", fn)',
    );
  });

  it("names an unknown op", () => {
    expect(() => runMeta("test_meta_nope::f", [], env)).toThrow(/unknown operator "test_meta_nope::f"; defined operators: /);
  });

  it("passes the meta kernel's own OpError through", () => {
    const lib = library("test_meta_6", "DEF");
    lib.define("f(Tensor x) -> Tensor", {
      meta: (_args, ctx) => {
        throw new OpError(`${ctx.schema.qualifiedName}: no`);
      },
    });
    expect(() => runMeta("test_meta_6::f", [f32(1)], env)).toThrow("test_meta_6::f: no");
  });
});

describe("runMeta checks the result against the schema's returns", () => {
  const lib = () => library("test_meta_ret", "FRAGMENT");

  it("() is undefined", () => {
    lib().define("none(Tensor x) -> ()", { meta: (args) => args.x });
    lib().define("none_ok(Tensor x) -> ()", { meta: () => undefined });
    expect(() => runMeta("test_meta_ret::none", [f32(1)], env)).toThrow(
      "test_meta_ret::none: meta kernel returned tensor, expected undefined (the schema returns ())",
    );
    expect(runMeta("test_meta_ret::none_ok", [f32(1)], env)).toBeUndefined();
  });

  it("an aliased return is the argument itself, not a copy", () => {
    lib().define("inplace(Tensor(a!) x) -> Tensor(a!)", { meta: (args) => tensorMeta((args.x as TensorMeta).shape, "float32") });
    lib().define("inplace_ok(Tensor(a!) x) -> Tensor(a!)", { meta: (args) => args.x });
    expect(() => runMeta("test_meta_ret::inplace", [f32(2)], env)).toThrow(
      'test_meta_ret::inplace: meta kernel returned tensor, expected argument "x" itself (the return aliases it)',
    );
    const x = f32(2);
    expect(runMeta("test_meta_ret::inplace_ok", [x], env)).toBe(x);
  });

  it("Tensor is a tensor meta, Tensor? may be null, Tensor[] an array of them, several returns an array", () => {
    lib().define("one(Tensor x) -> Tensor", { meta: () => ({ shape: [2] }) });
    lib().define("maybe(Tensor x) -> Tensor?", { meta: () => null });
    lib().define("many(Tensor x) -> Tensor[]", { meta: (args) => [args.x, 3] });
    lib().define("two(Tensor x) -> (Tensor a, Tensor b)", { meta: (args) => [args.x, args.x] });
    lib().define("two_bad(Tensor x) -> (Tensor a, Tensor b)", { meta: (args) => args.x });
    lib().define("count(Tensor x) -> int", { meta: () => 3 });
    expect(() => runMeta("test_meta_ret::one", [f32(1)], env)).toThrow(
      "test_meta_ret::one: meta kernel returned plain object, expected a tensor meta ({ shape, dtype })",
    );
    expect(runMeta("test_meta_ret::maybe", [f32(1)], env)).toBeNull();
    expect(() => runMeta("test_meta_ret::many", [f32(1)], env)).toThrow("expected an array of tensor metas (Tensor[])");
    const x = f32(1);
    expect(runMeta("test_meta_ret::two", [x], env)).toEqual([x, x]);
    expect(() => runMeta("test_meta_ret::two_bad", [x], env)).toThrow("meta kernel returned tensor, expected an array of 2 returns");
    expect(runMeta("test_meta_ret::count", [x], env)).toBe(3);
  });
});
