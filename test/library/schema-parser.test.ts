import { describe, expect, it } from "vitest";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { CANONICAL_EXTRAS, NORMALISED_EXTRAS, SYMM_MEM_OPS } from "./ops-schemas.ts";

describe("parseSchema round trip", () => {
  it.each(SYMM_MEM_OPS.map((op) => op.schema))("symm_mem schema prints back unchanged: %s", (text) => {
    const schema = parseSchema(text);
    expect(schema.toString()).toBe(text);
    expect(parseSchema(schema.toString())).toEqual(schema);
  });

  it.each(CANONICAL_EXTRAS)("canonical schema prints back unchanged: %s", (text) => {
    const schema = parseSchema(text);
    expect(schema.toString()).toBe(text);
    expect(parseSchema(schema.toString())).toEqual(schema);
  });

  it.each(NORMALISED_EXTRAS)("%s prints as its canonical form", (source, canonical) => {
    const schema = parseSchema(source);
    expect(schema.toString()).toBe(canonical);
    expect(parseSchema(canonical)).toEqual(schema);
  });
});

describe("parseSchema fields", () => {
  it("splits namespace, name and overload", () => {
    const s = parseSchema("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
    expect(s.namespace).toBe("aten");
    expect(s.name).toBe("add");
    expect(s.overload).toBe("Tensor");
    expect(s.qualifiedName).toBe("aten::add.Tensor");
  });

  it("has no namespace and an empty overload when the schema names neither", () => {
    const s = parseSchema("foo(Tensor x) -> Tensor");
    expect(s.namespace).toBeUndefined();
    expect(s.overload).toBe("");
    expect(s.qualifiedName).toBe("foo");
    expect(s.withNamespace("ns").qualifiedName).toBe("ns::foo");
  });

  it("reads keyword-only arguments and Scalar defaults", () => {
    const s = parseSchema("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
    expect(s.args.map((a) => [a.name, a.kwargOnly])).toEqual([
      ["self", false],
      ["other", false],
      ["alpha", true],
    ]);
    expect(s.args[2]).toMatchObject({ type: { kind: "Scalar", optional: false, list: false }, hasDefault: true, default: 1 });
    expect(s.args[0]?.hasDefault).toBe(false);
    expect(s.args[0] && "default" in s.args[0]).toBe(false);
  });

  it("reports mutated arguments and which argument each return aliases", () => {
    const s = parseSchema(
      "symm_mem::two_shot_all_reduce_out(Tensor(a!) input, str reduce_op, str group_name, Tensor(b!) output) -> Tensor(b!)",
    );
    expect(s.isMutable).toBe(true);
    expect(s.mutatedArgs).toEqual(["input", "output"]);
    expect(s.args[0]?.alias).toEqual({ set: "a", isWrite: true });
    expect(s.returns).toEqual([{ type: { kind: "Tensor", optional: false, list: false }, alias: { set: "b", isWrite: true } }]);
    expect(s.returnAliases()).toEqual(["output"]);
  });

  it("treats a read alias as not mutating", () => {
    const s = parseSchema("aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)");
    expect(s.isMutable).toBe(false);
    expect(s.mutatedArgs).toEqual([]);
    expect(s.args[0]?.alias).toEqual({ set: "a", isWrite: false });
    expect(s.returnAliases()).toEqual(["self"]);
    expect(s.args[1]?.type).toEqual({ kind: "int", optional: false, list: true, name: "SymInt" });
  });

  it("gives undefined aliases for fresh returns and an empty list for ()", () => {
    expect(parseSchema("symm_mem::one_shot_all_reduce(Tensor input, str reduce_op, str group_name) -> Tensor").returnAliases()).toEqual([
      undefined,
    ]);
    const none = parseSchema("f(Tensor(a!) x) -> ()");
    expect(none.returns).toEqual([]);
    expect(none.returnAliases()).toEqual([]);
    expect(none.isMutable).toBe(true);
  });

  it("reads optional, list and default values", () => {
    const s = parseSchema(
      "f(int? a=None, int[]? b=None, int[] c=[1, -2], float d=1e-5, str e=\"x\", str f='y', bool g=True, Tensor? h=None, Tensor[] i=[]) -> ()",
    );
    const byName = Object.fromEntries(s.args.map((a) => [a.name, a]));
    expect(byName.a).toMatchObject({ type: { kind: "int", optional: true, list: false }, default: null });
    expect(byName.b).toMatchObject({ type: { kind: "int", optional: true, list: true }, default: null });
    expect(byName.c?.default).toEqual([1, -2]);
    expect(byName.d?.default).toBe(1e-5);
    expect(byName.e?.default).toBe("x");
    expect(byName.f?.default).toBe("y");
    expect(byName.g?.default).toBe(true);
    expect(byName.h).toMatchObject({ type: { kind: "Tensor", optional: true, list: false }, default: null, hasDefault: true });
    expect(byName.i?.default).toEqual([]);
  });

  it("reads named tuple returns and list returns", () => {
    const s = parseSchema("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)");
    expect(s.returns.map((r) => r.name)).toEqual(["values", "indices"]);
    const list = parseSchema("symm_mem::get_remote_tensors(Tensor x, str group_name) -> Tensor[]");
    expect(list.returns[0]?.type).toEqual({ kind: "Tensor", optional: false, list: true });
  });

  it("reads alias annotations on tensor lists", () => {
    const s = parseSchema("aten::_foreach_add_.Scalar(Tensor(a!)[] self, Scalar scalar) -> ()");
    expect(s.args[0]).toMatchObject({ type: { kind: "Tensor", list: true }, alias: { set: "a", isWrite: true } });
    expect(s.mutatedArgs).toEqual(["self"]);
  });

  it("allows kwarg-only arguments without defaults after defaulted ones", () => {
    const s = parseSchema("f(int a=1, *, int b, int c=2, int d) -> ()");
    expect(s.args.map((a) => a.hasDefault)).toEqual([true, false, true, false]);
  });

  it("freezes the schema", () => {
    const s = parseSchema("f(int[] a=[1]) -> ()");
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.args)).toBe(true);
    expect(Object.isFrozen(s.args[0]?.default)).toBe(true);
  });

  it("fills the symm_mem registered lists of the fixture with tensor arguments only", () => {
    for (const op of SYMM_MEM_OPS) {
      const s = parseSchema(op.schema);
      for (const name of op.registered) {
        expect(s.args.find((a) => a.name === name)?.type.kind, `${op.schema} ${name}`).toBe("Tensor");
      }
      if (op.registered.length > 0) expect(s.args.some((a) => a.name === "group_name" && a.type.kind === "str")).toBe(true);
    }
  });
});
