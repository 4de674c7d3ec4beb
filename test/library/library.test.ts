import { afterEach, describe, expect, it, vi } from "vitest";
import { OpError, SchemaError } from "../../src/core/errors.ts";
import { Library, findOp, listOps, type Kernel } from "../../src/library/library.ts";
import { symmMemRegistry } from "../../src/library/symm-mem-registry.ts";
import { SYMM_MEM_OPS } from "./ops-schemas.ts";
import { disposeScopedLibraries, scopedLibrary } from "./scoped-library.ts";

const library = scopedLibrary;

afterEach(() => {
  disposeScopedLibraries();
  vi.restoreAllMocks();
});

const kernel: Kernel = () => "cpu result";

describe("Library.define", () => {
  it("defines an op in the library's namespace and finds it by every spelling", () => {
    const def = library("test_lib_1", "DEF").define("my_op(Tensor input, str group_name) -> Tensor");
    const schema = def.schema;
    expect(def.name).toBe("test_lib_1::my_op");
    expect(schema.qualifiedName).toBe("test_lib_1::my_op");
    expect(schema.namespace).toBe("test_lib_1");
    expect(findOp("test_lib_1::my_op")?.schema).toBe(schema);
    expect(findOp("test_lib_1::my_op.default")?.schema).toBe(schema);
    expect(findOp("test_lib_1::my_op.out")).toBeUndefined();
    expect(listOps()).toContain("test_lib_1::my_op");
  });

  it("keeps overloads apart", () => {
    const lib = library("test_lib_2", "DEF");
    lib.define("add(Tensor a, Tensor b) -> Tensor");
    lib.define("test_lib_2::add.out(Tensor a, Tensor b, *, Tensor(a!) out) -> Tensor(a!)");
    expect(findOp("test_lib_2::add")?.schema.overload).toBe("");
    expect(findOp("test_lib_2::add.out")?.schema.mutatedArgs).toEqual(["out"]);
  });

  it("rejects a schema of another namespace, naming both", () => {
    const lib = library("test_lib_3", "DEF");
    expect(() => lib.define("other_ns::f(Tensor x) -> Tensor")).toThrow(
      /other_ns::f .*expected namespace "test_lib_3", found "other_ns"/,
    );
    expect(findOp("other_ns::f")).toBeUndefined();
  });

  it("rejects defining an op twice, naming it", () => {
    const lib = library("test_lib_4", "DEF");
    lib.define("f(Tensor x) -> Tensor");
    expect(() => lib.define("f(Tensor y) -> Tensor")).toThrow(/test_lib_4::f is already defined/);
    expect(() => library("test_lib_4", "FRAGMENT").define("test_lib_4::f(Tensor y) -> Tensor")).toThrow(OpError);
    expect(findOp("test_lib_4::f")?.schema.args[0]?.name).toBe("x");
  });

  it("reserves the overload name default", () => {
    expect(() => library("test_lib_5", "DEF").define("f.default(Tensor x) -> Tensor")).toThrow(/"default" is reserved/);
  });

  it("passes SchemaError through for a malformed schema", () => {
    expect(() => library("test_lib_6", "DEF").define("f(Tensor x -> Tensor")).toThrow(SchemaError);
  });

  it("defines every symm_mem op of the reference with its registered arguments inline", () => {
    const lib = library("test_lib_symm", "DEF");
    for (const op of SYMM_MEM_OPS) {
      const text = op.schema.replace("symm_mem::", "");
      const options = op.registered.length > 0 ? { symmMemArgs: op.registered } : {};
      const def = lib.define(text, options);
      const entry = findOp(def.name);
      expect(entry).toBe(def.entry);
      expect(entry?.symmMemArgs).toEqual(op.registered.length > 0 ? op.registered : undefined);
    }
    lib.dispose();
    expect(listOps().filter((n) => n.startsWith("test_lib_symm::"))).toEqual([]);
    expect(symmMemRegistry.registeredOps().filter((n) => n.startsWith("test_lib_symm::"))).toEqual([]);
  });

  it("defines nothing when inline symmMemArgs are invalid", () => {
    const lib = library("test_lib_7", "DEF");
    expect(() => lib.define("f(Tensor x, str group_name) -> Tensor", { symmMemArgs: ["group_name"] })).toThrow(
      /test_lib_7::f: symm_mem argument "group_name"/,
    );
    expect(findOp("test_lib_7::f")).toBeUndefined();
    expect(() => lib.define("g(Tensor x) -> Tensor", { symmMemArgs: [] })).toThrow(/empty list/);
    expect(findOp("test_lib_7::g")).toBeUndefined();
  });
});

describe("DEF, FRAGMENT and IMPL", () => {
  it("allows one live DEF per namespace", () => {
    library("test_kind_1", "DEF");
    expect(() => new Library("test_kind_1", "DEF")).toThrow(/namespace "test_kind_1" already has a DEF library.*FRAGMENT/);
  });

  it("frees the namespace when the DEF library is disposed", () => {
    library("test_kind_2", "DEF").dispose();
    expect(() => library("test_kind_2", "DEF")).not.toThrow();
  });

  it("lets a FRAGMENT add ops to a namespace, with or without a DEF", () => {
    library("test_kind_3", "DEF").define("a(Tensor x) -> Tensor");
    library("test_kind_3", "FRAGMENT").define("b(Tensor x) -> Tensor");
    library("test_kind_3b", "FRAGMENT").define("c(Tensor x) -> Tensor");
    expect(findOp("test_kind_3::b")).toBeDefined();
    expect(findOp("test_kind_3b::c")).toBeDefined();
  });

  it("forbids define in an IMPL library", () => {
    const lib = library("test_kind_4", "IMPL");
    expect(() => lib.define("f(Tensor x) -> Tensor")).toThrow(/IMPL library and cannot define/);
  });

  it("rejects a bad namespace or kind", () => {
    expect(() => new Library("bad ns", "DEF")).toThrow(OpError);
    expect(() => new Library("a::b", "FRAGMENT")).toThrow(OpError);
    expect(() => new Library("test_kind_5", "MAYBE" as "DEF")).toThrow(/DEF, FRAGMENT or IMPL/);
  });
});

describe("Library.impl", () => {
  it("registers kernels per backend, from any library of the namespace", () => {
    const def = library("test_impl_1", "DEF");
    def.define("f(Tensor x) -> Tensor");
    def.impl("f", kernel, "cpu");
    const gpu: Kernel<{ device: string }> = (_args, ctx) => ctx.device;
    library("test_impl_1", "IMPL").impl("test_impl_1::f.default", gpu, "webgpu");
    const entry = findOp("test_impl_1::f");
    expect(entry?.impls.get("cpu")).toBe(kernel);
    expect(entry?.impls.get("webgpu")?.({}, { device: "d0" })).toBe("d0");
  });

  it("throws on an unknown op, naming it", () => {
    expect(() => library("test_impl_2", "IMPL").impl("nope.out", kernel, "cpu")).toThrow(/unknown op test_impl_2::nope\.out/);
  });

  it("throws on an op of another namespace", () => {
    library("test_impl_3", "DEF").define("f(Tensor x) -> Tensor");
    expect(() => library("test_impl_3b", "IMPL").impl("test_impl_3::f", kernel, "cpu")).toThrow(
      /expected namespace "test_impl_3b", found "test_impl_3"/,
    );
  });

  it("throws on a second kernel for the same backend, and on an empty backend", () => {
    const lib = library("test_impl_4", "DEF");
    lib.define("f(Tensor x) -> Tensor");
    lib.impl("f", kernel, "cpu");
    expect(() => library("test_impl_4", "IMPL").impl("f", () => 0, "cpu")).toThrow(/already has a "cpu" kernel/);
    expect(() => lib.impl("f", kernel, "")).toThrow(/expected a backend name/);
    expect(() => lib.impl("f(", kernel, "cpu")).toThrow(/expected an op name/);
  });

  it("removes only its own kernels on dispose", () => {
    const def = library("test_impl_5", "DEF");
    def.define("f(Tensor x) -> Tensor");
    def.impl("f", kernel, "cpu");
    const impl = library("test_impl_5", "IMPL");
    impl.impl("f", kernel, "webgpu");
    impl.dispose();
    expect([...(findOp("test_impl_5::f")?.impls.keys() ?? [])]).toEqual(["cpu"]);
  });
});

describe("Library.registerSymmMemArgs", () => {
  it("validates names against the schema", () => {
    const lib = library("test_sym_1", "DEF");
    lib.define("f(Tensor input, Tensor? maybe, Tensor[] many, int n, str group_name) -> Tensor");
    expect(() => lib.registerSymmMemArgs("f", ["inptu"])).toThrow(/test_sym_1::f: symm_mem argument "inptu" is not an argument/);
    expect(() => lib.registerSymmMemArgs("f", ["n"])).toThrow(/"n" expected Tensor, Tensor\? or Tensor\[\], found int/);
    expect(() => lib.registerSymmMemArgs("f", [])).toThrow(/test_sym_1::f: cannot register an empty list/);
    expect(() => lib.registerSymmMemArgs("f", ["input", "input"])).toThrow(/"input" is listed twice/);
    expect(() => lib.registerSymmMemArgs("g", ["input"])).toThrow(/unknown op test_sym_1::g/);
    expect(symmMemRegistry.isRegistered("test_sym_1::f")).toBe(false);
    lib.registerSymmMemArgs("f", ["input", "maybe", "many"]);
    expect(findOp("test_sym_1::f")?.symmMemArgs).toEqual(["input", "maybe", "many"]);
  });

  it("replaces an earlier registration with a warning naming the op", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lib = library("test_sym_2", "DEF");
    lib.define("f(Tensor a, Tensor b) -> Tensor", { symmMemArgs: ["a"] });
    lib.registerSymmMemArgs("f", ["b"]);
    expect(findOp("test_sym_2::f")?.symmMemArgs).toEqual(["b"]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("test_sym_2::f"));
  });
});

describe("Library.dispose", () => {
  it("removes defs, kernels and registrations, and is idempotent", () => {
    const lib = library("test_disp_1", "DEF");
    lib.define("f(Tensor x, str group_name) -> Tensor", { symmMemArgs: ["x"] });
    lib.impl("f", kernel, "cpu");
    lib.dispose();
    lib.dispose();
    expect(findOp("test_disp_1::f")).toBeUndefined();
    expect(symmMemRegistry.isRegistered("test_disp_1::f")).toBe(false);
    expect(() => lib.define("g(Tensor x) -> Tensor")).toThrow(/was disposed/);
    expect(() => lib.impl("f", kernel, "cpu")).toThrow(/was disposed/);
  });

  it("drops a FRAGMENT's registration when the op's DEF goes, so a redefinition starts clean", () => {
    const def = library("test_disp_2", "DEF");
    def.define("f(Tensor x) -> Tensor");
    const frag = library("test_disp_2", "FRAGMENT");
    frag.registerSymmMemArgs("f", ["x"]);
    frag.impl("f", kernel, "cpu");
    def.dispose();
    expect(findOp("test_disp_2::f")).toBeUndefined();
    expect(symmMemRegistry.isRegistered("test_disp_2::f")).toBe(false);
    const again = library("test_disp_2", "DEF");
    again.define("f(Tensor y) -> Tensor");
    again.impl("f", kernel, "cpu");
    frag.dispose();
    // The old fragment's kernel belonged to the old op; the new op's kernel stays.
    expect(findOp("test_disp_2::f")?.impls.get("cpu")).toBe(kernel);
  });
});
