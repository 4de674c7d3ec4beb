/**
 * The registry semantics PyTorch's test_symm_mem_registry.py checks, restated for webshmem.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { SymmMemRegistry, symmMemRegistry } from "../../src/library/symm-mem-registry.ts";
import { disposeScopedLibraries, scopedLibrary } from "./scoped-library.ts";

const library = scopedLibrary;

afterEach(() => {
  disposeScopedLibraries();
  for (const name of symmMemRegistry.registeredOps()) if (name.startsWith("test_")) symmMemRegistry.remove(name);
  vi.restoreAllMocks();
});

describe("SymmMemRegistry", () => {
  it("registers by string", () => {
    symmMemRegistry.set("test_reg_ns::test_op", ["input"]);
    expect(symmMemRegistry.isRegistered("test_reg_ns::test_op")).toBe(true);
    expect(symmMemRegistry.get("test_reg_ns::test_op")).toEqual(["input"]);
  });

  it("registers several arguments", () => {
    symmMemRegistry.set("test_reg_ns::multi", ["input", "output", "buffer"]);
    expect(new Set(symmMemRegistry.get("test_reg_ns::multi"))).toEqual(new Set(["input", "output", "buffer"]));
    expect(symmMemRegistry.isSymmMemArg("test_reg_ns::multi", "input")).toBe(true);
    expect(symmMemRegistry.isSymmMemArg("test_reg_ns::multi", "output")).toBe(true);
    expect(symmMemRegistry.isSymmMemArg("test_reg_ns::multi", "other")).toBe(false);
  });

  it("throws on an empty list, naming the op", () => {
    expect(() => symmMemRegistry.set("test_reg_ns::empty", [])).toThrow(OpError);
    expect(() => symmMemRegistry.set("test_reg_ns::empty", [])).toThrow(/test_reg_ns::empty: cannot register an empty list/);
    expect(symmMemRegistry.isRegistered("test_reg_ns::empty")).toBe(false);
  });

  it("throws on a name that is not ns::name[.overload]", () => {
    expect(() => symmMemRegistry.set("no_namespace", ["x"])).toThrow(/expected an operator name/);
    expect(() => symmMemRegistry.set("ns::a.b.c", ["x"])).toThrow(OpError);
  });

  it("answers queries on unregistered ops", () => {
    expect(symmMemRegistry.isRegistered("test_nonexistent::op")).toBe(false);
    expect(symmMemRegistry.get("test_nonexistent::op")).toBeUndefined();
    expect(symmMemRegistry.isSymmMemArg("test_nonexistent::op", "input")).toBe(false);
    expect(symmMemRegistry.get("not even a name")).toBeUndefined();
  });

  it("keys overloads separately, with .default naming the op without an overload", () => {
    symmMemRegistry.set("test_reg_ns::add.Tensor", ["self"]);
    symmMemRegistry.set("test_reg_ns::add", ["other"]);
    expect(symmMemRegistry.get("test_reg_ns::add.Tensor")).toEqual(["self"]);
    expect(symmMemRegistry.get("test_reg_ns::add")).toEqual(["other"]);
    expect(symmMemRegistry.get("test_reg_ns::add.default")).toEqual(["other"]);
    expect(symmMemRegistry.get("test_reg_ns::add.out")).toBeUndefined();
    symmMemRegistry.set("test_reg_ns::sub.default", ["self"]);
    expect(symmMemRegistry.get("test_reg_ns::sub")).toEqual(["self"]);
    expect(symmMemRegistry.registeredOps()).toContain("test_reg_ns::sub");
  });

  it("overwrites a registration with a warning naming the op", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    symmMemRegistry.set("test_reg_ns::over", ["input"]);
    expect(warn).not.toHaveBeenCalled();
    symmMemRegistry.set("test_reg_ns::over", ["output"]);
    expect(symmMemRegistry.get("test_reg_ns::over")).toEqual(["output"]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("test_reg_ns::over");
  });

  it("stores a frozen copy", () => {
    const names = ["input"];
    const stored = symmMemRegistry.set("test_reg_ns::copy", names);
    names.push("other");
    expect(symmMemRegistry.get("test_reg_ns::copy")).toEqual(["input"]);
    expect(Object.isFrozen(stored)).toBe(true);
  });

  it("removes a registration", () => {
    symmMemRegistry.set("test_reg_ns::gone", ["input"]);
    expect(symmMemRegistry.remove("test_reg_ns::gone.default")).toBe(true);
    expect(symmMemRegistry.isRegistered("test_reg_ns::gone")).toBe(false);
    expect(symmMemRegistry.remove("test_reg_ns::gone")).toBe(false);
  });

  it("keeps separate registries separate", () => {
    const fresh = new SymmMemRegistry();
    symmMemRegistry.set("test_reg_ns::iso", ["input"]);
    expect(fresh.isRegistered("test_reg_ns::iso")).toBe(false);
    expect(symmMemRegistry.isRegistered("test_reg_ns::iso")).toBe(true);
  });
});

describe("registration through Library", () => {
  it("registers through a DEF library, and group_name is never a symm arg", () => {
    const lib = library("test_lib_def", "DEF");
    lib.define("test_op(Tensor input, str group_name) -> Tensor");
    lib.registerSymmMemArgs("test_op", ["input"]);
    expect(symmMemRegistry.isRegistered("test_lib_def::test_op")).toBe(true);
    expect(symmMemRegistry.isSymmMemArg("test_lib_def::test_op", "input")).toBe(true);
    expect(symmMemRegistry.isSymmMemArg("test_lib_def::test_op", "group_name")).toBe(false);
  });

  it("refuses group_name (a str) as a symm arg", () => {
    const lib = library("test_lib_group", "DEF");
    lib.define("test_op(Tensor input, str group_name) -> Tensor");
    expect(() => lib.registerSymmMemArgs("test_op", ["input", "group_name"])).toThrow(
      /test_lib_group::test_op: symm_mem argument "group_name" expected Tensor, Tensor\? or Tensor\[\], found str/,
    );
    expect(symmMemRegistry.isRegistered("test_lib_group::test_op")).toBe(false);
  });

  it("registers through a FRAGMENT library on an overload", () => {
    library("test_lib_frag", "DEF").define("add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
    library("test_lib_frag", "FRAGMENT").registerSymmMemArgs("add.Tensor", ["self", "other"]);
    expect(symmMemRegistry.get("test_lib_frag::add.Tensor")).toEqual(["self", "other"]);
    expect(symmMemRegistry.isRegistered("test_lib_frag::add")).toBe(false);
  });

  it("registers several arguments", () => {
    const lib = library("test_lib_multi", "DEF");
    lib.define("test_op(Tensor a, Tensor b, Tensor out) -> Tensor");
    lib.registerSymmMemArgs("test_op", ["a", "b", "out"]);
    for (const name of ["a", "b", "out"]) expect(symmMemRegistry.isSymmMemArg("test_lib_multi::test_op", name)).toBe(true);
  });

  it("removes the registration when the library is disposed", () => {
    const lib = library("test_lib_cleanup", "DEF");
    lib.define("my_op(Tensor input, str reduce_op, str group_name) -> Tensor");
    lib.registerSymmMemArgs("my_op", ["input"]);
    expect(symmMemRegistry.isRegistered("test_lib_cleanup::my_op")).toBe(true);
    lib.dispose();
    expect(symmMemRegistry.isRegistered("test_lib_cleanup::my_op")).toBe(false);
    expect(symmMemRegistry.get("test_lib_cleanup::my_op")).toBeUndefined();
  });

  it("overwrites through the library with a warning, and the later owner keeps its registration", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const def = library("test_lib_over", "DEF");
    def.define("my_op(Tensor input, Tensor out, str group_name) -> Tensor");
    def.registerSymmMemArgs("my_op", ["input"]);
    const frag = library("test_lib_over", "FRAGMENT");
    frag.registerSymmMemArgs("my_op", ["out"]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("test_lib_over::my_op");
    expect(symmMemRegistry.get("test_lib_over::my_op")).toEqual(["out"]);
    frag.dispose();
    // The fragment's registration goes; the one it replaced does not come back.
    expect(symmMemRegistry.isRegistered("test_lib_over::my_op")).toBe(false);
  });

  it("does not let an earlier owner remove a later registration", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const def = library("test_lib_keep", "DEF");
    def.define("my_op(Tensor input, Tensor out, str group_name) -> Tensor");
    const first = library("test_lib_keep", "FRAGMENT");
    first.registerSymmMemArgs("my_op", ["input"]);
    library("test_lib_keep", "FRAGMENT").registerSymmMemArgs("my_op", ["out"]);
    first.dispose();
    expect(symmMemRegistry.get("test_lib_keep::my_op")).toEqual(["out"]);
  });
});
