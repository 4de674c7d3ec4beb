/**
 * Registration handles: every registration returns one; disposing it takes back that
 * registration only; Library.dispose releases the live ones, latest first, once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { registrationHandle } from "../../src/library/handle.ts";
import { findOp, listOps, type Kernel } from "../../src/library/library.ts";
import type { MetaKernel } from "../../src/library/meta.ts";
import { symmMemRegistry } from "../../src/library/symm-mem-registry.ts";
import { disposeScopedLibraries, scopedLibrary as library } from "./scoped-library.ts";

afterEach(() => {
  disposeScopedLibraries();
  vi.restoreAllMocks();
});

const kernel: Kernel = () => "k";
const other: Kernel = () => "other";
const meta: MetaKernel = (args) => args.x;

describe("registrationHandle", () => {
  it("runs its release once, and says so", () => {
    const release = vi.fn();
    const h = registrationHandle(release);
    expect(h.disposed).toBe(false);
    h.dispose();
    h.dispose();
    expect(release).toHaveBeenCalledTimes(1);
    expect(h.disposed).toBe(true);
    expect(Object.isFrozen(h)).toBe(true);
  });
});

describe("lib.define returns a definition handle", () => {
  it("that carries the stored schema, its name and its entry", () => {
    const def = library("test_h_def1", "DEF").define("f(Tensor x) -> Tensor");
    expect(def.name).toBe("test_h_def1::f");
    expect(def.schema.qualifiedName).toBe("test_h_def1::f");
    expect(def.schema.namespace).toBe("test_h_def1");
    expect(findOp("test_h_def1::f")).toBe(def.entry);
    expect(def.entry.schema).toBe(def.schema);
    expect(def.disposed).toBe(false);
  });

  it("whose dispose removes the op with its inline registrations, and leaves the library usable", () => {
    const lib = library("test_h_def2", "DEF");
    const def = lib.define("f(Tensor x, str group_name) -> Tensor", { symmMemArgs: ["x"], meta });
    lib.impl("f", kernel, "cpu");
    lib.define("g(Tensor x) -> Tensor");
    expect(findOp("test_h_def2::f")?.meta).toBe(meta);
    def.dispose();
    def.dispose();
    expect(def.disposed).toBe(true);
    expect(findOp("test_h_def2::f")).toBeUndefined();
    expect(symmMemRegistry.isRegistered("test_h_def2::f")).toBe(false);
    expect(def.entry.live).toBe(false);
    expect(def.entry.meta).toBeUndefined(); // the inline meta went with the definition
    expect(findOp("test_h_def2::g")).toBeDefined();
    const again = lib.define("f(Tensor y) -> Tensor");
    expect(findOp("test_h_def2::f")).toBe(again.entry);
    expect(again.entry.impls.size).toBe(0);
    lib.dispose();
    expect(listOps().filter((n) => n.startsWith("test_h_def2::"))).toEqual([]);
  });

  it("does not let a disposed definition take a later definition of the same name with it", () => {
    const def = library("test_h_def3", "DEF");
    const first = def.define("f(Tensor x) -> Tensor");
    first.dispose();
    const later = library("test_h_def3", "FRAGMENT").define("f(Tensor y) -> Tensor", { symmMemArgs: ["y"] });
    def.dispose();
    expect(findOp("test_h_def3::f")).toBe(later.entry);
    expect(symmMemRegistry.get("test_h_def3::f")).toEqual(["y"]);
  });

  it("refuses registrations into the entry of a removed op", () => {
    const def = library("test_h_def4", "DEF").define("f(Tensor x) -> Tensor");
    const stale = def.entry;
    def.dispose();
    expect(() => stale.holders.kernels.register("cpu", kernel)).toThrow(/impl: test_h_def4::f was removed/);
    expect(() => stale.holders.symmMemArgs.register(["x"])).toThrow(OpError);
    expect(() => stale.holders.meta.register(meta)).toThrow(/registerMeta: test_h_def4::f was removed/);
    expect(symmMemRegistry.isRegistered("test_h_def4::f")).toBe(false);
    expect(stale.symmMemArgs).toBeUndefined();
  });
});

describe("lib.impl returns a handle", () => {
  it("whose dispose removes that kernel only", () => {
    const lib = library("test_h_impl1", "DEF");
    lib.define("f(Tensor x) -> Tensor");
    const cpu = lib.impl("f", kernel, "cpu");
    lib.impl("f", other, "webgpu");
    cpu.dispose();
    cpu.dispose();
    const entry = findOp("test_h_impl1::f");
    expect([...(entry?.impls.keys() ?? [])]).toEqual(["webgpu"]);
    lib.impl("f", kernel, "cpu"); // the slot is free again, through the same live library
    expect(entry?.impls.get("cpu")).toBe(kernel);
  });

  it("and a re-registration by another library survives the first handle and library", () => {
    const def = library("test_h_impl2", "DEF");
    def.define("f(Tensor x) -> Tensor");
    const first = library("test_h_impl2", "IMPL");
    const h = first.impl("f", kernel, "cpu");
    h.dispose();
    // The same function again, from someone else: the slot is theirs now, not the first handle's.
    library("test_h_impl2", "IMPL").impl("f", kernel, "cpu");
    h.dispose();
    first.dispose();
    expect(findOp("test_h_impl2::f")?.impls.get("cpu")).toBe(kernel);
  });

  it("the holder checks what Library.impl checked", () => {
    const lib = library("test_h_impl3", "DEF");
    const { entry } = lib.define("f(Tensor x) -> Tensor");
    expect(() => entry.holders.kernels.register("", kernel)).toThrow(/test_h_impl3::f: expected a backend name, found ""/);
    expect(() => entry.holders.kernels.register("cpu", 3 as unknown as Kernel)).toThrow(/expected a kernel function/);
    entry.holders.kernels.register("cpu", kernel);
    expect(() => lib.impl("f", other, "cpu")).toThrow(/test_h_impl3::f already has a "cpu" kernel; dispose its library first/);
  });
});

describe("lib.registerSymmMemArgs returns a handle", () => {
  it("whose dispose removes the registration while it is still its own", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lib = library("test_h_sym1", "DEF");
    lib.define("f(Tensor a, Tensor b, str group_name) -> Tensor");
    const h = lib.registerSymmMemArgs("f", ["a"]);
    h.dispose();
    expect(symmMemRegistry.isRegistered("test_h_sym1::f")).toBe(false);
    const h2 = lib.registerSymmMemArgs("f", ["a"]);
    library("test_h_sym1", "FRAGMENT").registerSymmMemArgs("f", ["b"]);
    expect(warn).toHaveBeenCalledTimes(1);
    h2.dispose();
    lib.dispose();
    expect(symmMemRegistry.get("test_h_sym1::f")).toBeUndefined(); // the op went with its DEF
  });

  it("and a later registration by another library survives it", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    library("test_h_sym2", "DEF").define("f(Tensor a, Tensor b, str group_name) -> Tensor");
    const first = library("test_h_sym2", "FRAGMENT");
    const h = first.registerSymmMemArgs("f", ["a"]);
    library("test_h_sym2", "FRAGMENT").registerSymmMemArgs("f", ["b"]);
    h.dispose();
    first.dispose();
    expect(symmMemRegistry.get("test_h_sym2::f")).toEqual(["b"]);
  });
});

describe("lib.registerMeta returns a handle", () => {
  it("one meta kernel per op; dispose frees the slot", () => {
    const lib = library("test_h_meta1", "DEF");
    lib.define("f(Tensor x) -> Tensor");
    const h = lib.registerMeta("f", meta);
    expect(findOp("test_h_meta1::f")?.meta).toBe(meta);
    expect(() => library("test_h_meta1", "FRAGMENT").registerMeta("f", meta)).toThrow(
      "test_h_meta1::f already has a meta kernel; dispose its library first",
    );
    h.dispose();
    expect(findOp("test_h_meta1::f")?.meta).toBeUndefined();
    const later = library("test_h_meta1", "IMPL");
    const other: MetaKernel = (args) => args.x;
    later.registerMeta("f.default", other);
    h.dispose();
    lib.dispose();
    expect(findOp("test_h_meta1::f")).toBeUndefined();
  });

  it("a re-registration by another library survives the first library's dispose", () => {
    library("test_h_meta2", "DEF").define("f(Tensor x) -> Tensor");
    const first = library("test_h_meta2", "FRAGMENT");
    first.registerMeta("f", meta).dispose();
    const second: MetaKernel = (args) => args.x;
    library("test_h_meta2", "IMPL").registerMeta("f", second);
    first.dispose();
    expect(findOp("test_h_meta2::f")?.meta).toBe(second);
  });

  it("checks the name, the namespace and the function", () => {
    const lib = library("test_h_meta3", "DEF");
    lib.define("f(Tensor x) -> Tensor");
    expect(() => lib.registerMeta("g", meta)).toThrow("registerMeta: unknown op test_h_meta3::g; define it first");
    expect(() => lib.registerMeta("other_ns::f", meta)).toThrow(/registerMeta: library "test_h_meta3" cannot reach other_ns::f/);
    expect(() => lib.registerMeta("f", "meta" as unknown as MetaKernel)).toThrow("test_h_meta3::f: expected a meta kernel function, found string");
    expect(findOp("test_h_meta3::f")?.meta).toBeUndefined();
    lib.dispose();
    expect(() => lib.registerMeta("f", meta)).toThrow('registerMeta: library "test_h_meta3" (DEF) was disposed');
  });
});

describe("Library.dispose", () => {
  it("releases every live handle, latest first, and only once", () => {
    const lib = library("test_h_lib1", "DEF");
    lib.define("f(Tensor x, str group_name) -> Tensor");
    lib.define("g(Tensor x, str group_name) -> Tensor");
    const symF = lib.registerSymmMemArgs("f", ["x"]);
    const symG = lib.registerSymmMemArgs("g", ["x"]);
    const k = lib.impl("f", kernel, "cpu");
    const m = lib.registerMeta("g", meta);
    const removed: string[] = [];
    const remove = symmMemRegistry.remove.bind(symmMemRegistry);
    vi.spyOn(symmMemRegistry, "remove").mockImplementation((name) => {
      removed.push(name);
      return remove(name);
    });
    lib.dispose();
    // Reverse order: symm g, symm f (each still its own), then the definitions g and f, each of
    // which drops its op's registration whoever made it (already gone, so a no-op remove).
    expect(removed).toEqual(["test_h_lib1::g", "test_h_lib1::f", "test_h_lib1::g", "test_h_lib1::f"]);
    for (const h of [symF, symG, k, m]) expect(h.disposed).toBe(true);
    lib.dispose();
    expect(removed).toHaveLength(4);
  });

  it("skips what was disposed already, and a later disposal of a handle is a no-op", () => {
    const lib = library("test_h_lib2", "DEF");
    const f = lib.define("f(Tensor x) -> Tensor");
    const g = lib.define("g(Tensor x) -> Tensor");
    const cpu = lib.impl("g", kernel, "cpu");
    f.dispose();
    lib.dispose();
    expect(g.disposed && cpu.disposed).toBe(true);
    expect(listOps().filter((n) => n.startsWith("test_h_lib2::"))).toEqual([]);
    g.dispose();
    expect(() => library("test_h_lib2", "DEF")).not.toThrow(); // the namespace is free again
  });

  it("a FRAGMENT's handles stay valid when the DEF goes first, and do not touch the redefinition", () => {
    const def = library("test_h_lib3", "DEF");
    def.define("f(Tensor x) -> Tensor");
    const frag = library("test_h_lib3", "FRAGMENT");
    const k = frag.impl("f", kernel, "cpu");
    const m = frag.registerMeta("f", meta);
    def.dispose();
    const again = library("test_h_lib3", "DEF");
    again.define("f(Tensor y) -> Tensor", { meta });
    again.impl("f", kernel, "cpu");
    k.dispose();
    m.dispose();
    frag.dispose();
    expect(findOp("test_h_lib3::f")?.impls.get("cpu")).toBe(kernel);
    expect(findOp("test_h_lib3::f")?.meta).toBe(meta);
  });
});
