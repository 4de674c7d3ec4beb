/**
 * PyTorch's whole function-schema grammar (torch/csrc/jit/frontend/function_schema_parser.cpp and
 * schema_type_parser.cpp): real schemas, copied from PyTorch's sources, parse and print back
 * exactly; the parsed fields are checked one form at a time; the binder binds the types it has a
 * JS representation for and refuses a call (never a definition) of the others.
 */
import { describe, expect, it } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { bindArguments } from "../../src/library/bind.ts";
import { Library } from "../../src/library/library.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { MORE_FORMS, PYTORCH } from "./pytorch-schemas.ts";

describe("real PyTorch schemas print back exactly", () => {
  it.each(PYTORCH)("%s  (%s)", (text) => {
    const schema = parseSchema(text);
    expect(schema.toString()).toBe(text);
    expect(parseSchema(schema.toString())).toEqual(schema);
  });

  it.each(MORE_FORMS)("%s", (text) => {
    const schema = parseSchema(text);
    expect(schema.toString()).toBe(text);
    expect(parseSchema(schema.toString())).toEqual(schema);
  });

  it("covers every base type name of PyTorch's schema type parser", () => {
    const all = [...PYTORCH.map(([t]) => t), ...MORE_FORMS].join(" ");
    const names = ["Tensor", "Generator", "Dimname", "ScalarType", "Layout", "MemoryFormat", "Storage", "QScheme", "Quantizer",
      "ConstQuantizerPtr", "Device", "DeviceIndex", "Stream", "Scalar", "str", "float", "SymFloat", "complex", "int", "SymInt",
      "bool", "SymBool", "None", "NoneType", "Capsule", "Any", "AnyClassType", "AnyEnumType", "PyObject"];
    for (const name of names) expect(all, name).toMatch(new RegExp(`[(,] *${name}\\b|${name}[?\\[ (]`));
  });
});

describe("the parsed fields of each form", () => {
  const arg = (text: string, i = 0) => parseSchema(text).args[i];

  it("keeps the written name beside the binding kind", () => {
    expect(arg("f(SymInt n) -> ()")?.type).toEqual({ kind: "int", optional: false, list: false, name: "SymInt" });
    expect(arg("f(SymFloat n) -> ()")?.type).toMatchObject({ kind: "float", name: "SymFloat" });
    expect(arg("f(SymBool n) -> ()")?.type).toMatchObject({ kind: "bool", name: "SymBool" });
    expect(arg("f(Dimname n) -> ()")?.type).toMatchObject({ kind: "str", name: "Dimname" });
    expect(arg("f(int n) -> ()")?.type).toEqual({ kind: "int", optional: false, list: false });
    expect(arg("f(t x) -> ()")?.type).toEqual({ kind: "var", optional: false, list: false, name: "t" });
    expect(arg("f(__torch__.torch.classes.ns.Name x) -> ()")?.type).toMatchObject({ kind: "class", name: "__torch__.torch.classes.ns.Name" });
  });

  it("reads fixed-size, optional and optional-element lists", () => {
    const conv = parseSchema(PYTORCH.find(([, where]) => where === "nf conv2d")?.[0] ?? "");
    expect(conv.args[3]).toMatchObject({ type: { kind: "int", list: true, size: 2, name: "SymInt" }, default: [1, 1], defaultText: "1" });
    expect(arg("f(int[]? x) -> ()")?.type).toEqual({ kind: "int", optional: true, list: true });
    expect(arg("f(Tensor?[] x) -> ()")?.type).toEqual({ kind: "Tensor", optional: false, list: true, elementOptional: true });
    expect(arg("f(int[1]? dim) -> ()")?.type).toEqual({ kind: "int", optional: true, list: true, size: 1 });
    expect(arg("f(int[][] x) -> ()")?.type).toMatchObject({ kind: "Compound", list: false, compound: { tag: "list", element: { tag: "list" } } });
  });

  it("reads alias sets, wildcards and annotations on lists", () => {
    expect(arg("f(Tensor(a -> *) x) -> ()")?.alias).toEqual({ set: "a", isWrite: false, after: ["*"] });
    expect(arg("f(Tensor(a|b) x) -> ()")?.alias).toEqual({ set: "a", isWrite: false, sets: ["a", "b"] });
    expect(arg("f(Tensor(*) x) -> ()")?.alias).toEqual({ set: "*", isWrite: false });
    expect(arg("f(Tensor! x, Tensor! y) -> ()", 1)?.alias).toEqual({ set: "$1", isWrite: true, fresh: true });
    expect(arg("f(Tensor(a!)[] x) -> ()")).toMatchObject({ type: { kind: "Tensor", list: true }, alias: { set: "a", isWrite: true } });
    const append = parseSchema("aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)");
    expect(append.args[0]?.listAlias).toEqual({ set: "a", isWrite: true });
    expect(append.args[0]?.alias).toBeUndefined();
    expect(append.mutatedArgs).toEqual(["self"]);
    expect(append.returnAliases()).toEqual(["self"]);
    expect(parseSchema("aten::__getitem__.t(t[](a) list, int idx) -> t(*)").returnAliases()).toEqual([undefined]);
    expect(parseSchema("f(Tensor(a -> *) self) -> Tensor(a)[]").returnAliases()).toEqual(["self"]);
    expect(parseSchema("f(Tensor(a|b) x, Tensor(b) y) -> Tensor(b)").returnAliases()).toEqual(["x"]);
    expect(parseSchema("f(Tensor(a)[][](b!) x) -> ()").mutatedArgs).toEqual(["x"]);
  });

  it("reads PyTorch's identifier defaults as their values", () => {
    expect(arg("f(int reduction=Mean) -> ()")).toMatchObject({ default: 1, defaultText: "Mean" });
    expect(arg("f(int dtype=long) -> ()")).toMatchObject({ default: 4, defaultText: "long" });
    expect(arg("f(ScalarType? dtype=long) -> ()")).toMatchObject({ default: "int64" });
    expect(arg("f(ScalarType dtype=float) -> ()")).toMatchObject({ default: "float32" });
    expect(arg("f(ScalarType dtype=float) -> ()")?.defaultText).toBeUndefined();
    expect(arg("f(MemoryFormat m=contiguous_format) -> ()")).toMatchObject({ default: "contiguous_format" });
    expect(arg("f(Layout l=strided) -> ()")).toMatchObject({ default: "strided" });
    expect(arg("f(complex c=2j) -> ()")).toMatchObject({ default: { re: 0, im: 2 } });
    expect(arg("f(float eps=1e-05) -> ()")).toMatchObject({ default: 1e-5, defaultText: "1e-05" });
    expect(arg("f(float beta=1) -> ()")).toMatchObject({ default: 1, defaultText: "1" });
    expect(arg("f(float beta=1.0) -> ()")?.defaultText).toBeUndefined();
    expect(arg("f(Tensor t=None) -> ()")).toMatchObject({ hasDefault: true, default: null });
    expect(arg("f(int?[] x=[1, None]) -> ()")?.default).toEqual([1, null]);
  });

  it("reads varargs, several or a trailing *, and named single returns", () => {
    expect(parseSchema("prim::Print(...) -> ()")).toMatchObject({ isVararg: true, isVarret: false, args: [] });
    expect(parseSchema("f(Tensor x) -> ...")).toMatchObject({ isVararg: false, isVarret: true, returns: [] });
    expect(parseSchema("f(int a, *, int b, *, int c, *) -> ()").args.map((a) => a.kwargOnly)).toEqual([false, true, true]);
    expect(parseSchema("f(Tensor x) -> Tensor junk").returns).toEqual([{ type: { kind: "Tensor", optional: false, list: false }, name: "junk" }]);
    expect(parseSchema("f(Tensor x) -> ((Tensor, int))").returns).toHaveLength(1);
    // PyTorch's checkSchema: only a list may go without a default after one with a default.
    expect(parseSchema("f(int a=1, int[][] b, Tensor?[] c) -> ()").args.map((a) => a.hasDefault)).toEqual([true, false, false]);
    expect(() => parseSchema("f(int a=1, int[]? b) -> ()")).toThrow('a default for "b"');
  });
});

describe("binding the new kinds", () => {
  const isTensor = (v: unknown): boolean => v instanceof Float32Array;
  const t0 = new Float32Array(1);
  const bind = (text: string, ...values: unknown[]) => bindArguments(parseSchema(text), values, isTensor);

  it("binds each kind with a JS representation", () => {
    const b = bind(
      "f(SymInt n, SymFloat x, SymBool b, Dimname d, ScalarType s, Layout l, MemoryFormat m, Device dev, Any a, NoneType z) -> ()",
      3, 0.5, true, "N", "float16", "strided", "channels_last", "webgpu:0", [1, "x"], null,
    );
    expect(b).toEqual({ n: 3, x: 0.5, b: true, d: "N", s: "float16", l: "strided", m: "channels_last", dev: "webgpu:0", a: [1, "x"], z: null });
    expect(bind("f(Tensor?[] i) -> ()", [t0, null]).i).toEqual([t0, null]);
    expect(bind("f((int, Tensor) p) -> ()", [1, t0]).p).toEqual([1, t0]);
    expect(bind("f(Union(int, str) u) -> ()", "x").u).toBe("x");
    expect(bind("f(int[][] g) -> ()", [[1], []]).g).toEqual([[1], []]);
  });

  it("binds one int for a fixed-size int list as that many copies, and takes any list length", () => {
    expect(bind("f(SymInt[2] stride) -> ()", 3).stride).toEqual([3, 3]);
    expect(bind("f(int[1] dim) -> ()", [0, 1, 2]).dim).toEqual([0, 1, 2]);
    expect(bind("f(SymInt[2] stride=1) -> ()").stride).toEqual([1, 1]);
    expect(() => bind("f(bool[2] m) -> ()", true)).toThrow('argument "m" expected bool[2], found boolean true');
  });

  it("refuses wrong values with what was expected", () => {
    expect(() => bind("f(ScalarType s) -> ()", "f32")).toThrow('f: argument "s" expected ScalarType, found string "f32"');
    expect(() => bind("f(Tensor?[] i) -> ()", [t0, 1])).toThrow('argument "i" expected Tensor?[], found array with number 1 at index 1');
    expect(() => bind("f((int, Tensor) p) -> ()", [1])).toThrow('argument "p" expected (int, Tensor), found array of length 1');
    expect(() => bind("f(Union(int, str) u) -> ()", true)).toThrow('argument "u" expected Union(int, str), found boolean true');
    expect(() => bind("f(NoneType z) -> ()", 0)).toThrow('argument "z" expected NoneType, found number 0');
  });

  it("refuses a call that passes a value of a type it cannot bind, but not the definition", () => {
    const lib = new Library("grammar_bind_test", "DEF");
    try {
      const def = lib.define("f(Tensor x, Generator? generator=None, complex? c=None, __torch__.torch.classes.ns.C? k=None) -> ()");
      expect(bindArguments(def.schema, [t0], isTensor)).toEqual({ x: t0, generator: null, c: null, k: null });
      const cases: ReadonlyArray<readonly [unknown[], string]> = [
        [[t0, new Map()], 'argument "generator" has type Generator?, whose type Generator has no JS representation here'],
        [[t0, null, [1, 2]], 'argument "c" has type complex?, whose type complex has no JS representation'],
        [[t0, null, null, 1], "whose custom class __torch__.torch.classes.ns.C has no JS representation"],
      ];
      for (const [values, message] of cases) {
        expect(() => bindArguments(def.schema, values, isTensor)).toThrow(OpError);
        expect(() => bindArguments(def.schema, values, isTensor)).toThrow(message);
      }
      expect(() => bind("f(Dict(str, int) d) -> ()", [])).toThrow("whose type Dict(str, int) has no JS representation");
      expect(() => bind("f(t x) -> ()", 1)).toThrow("whose type variable t has no JS representation");
    } finally {
      lib.dispose();
    }
  });
});
