/**
 * `define(schema, { tags })` and PyTorch 2.13's rules for Tag.out and Tag.inplace (pytorch#180851,
 * #181099): each rule accepted and broken, the error naming the rule; tags stored on the entry;
 * the aliasing-return deprecation warning (pytorch#182063) given once per op; the built-in ops
 * tagged where, and only where, their PyTorch schemas fit.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { findOp, Library, TAGS } from "../../src/library/library.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { aliasingReturnWarning, checkTagRules, type Tag } from "../../src/library/tags.ts";
import { SYMM_MEM_OPS } from "../../src/ops/symm_mem/definitions.ts";
import { WEBSHMEM_OPS } from "../../src/ops/webshmem/definitions.ts";

let n = 0;
/** A fresh namespace per call, so that names never collide across tests (the warning is once per name). */
function library(): Library {
  n += 1;
  return new Library(`tags_test_${n}`, "DEF");
}

const libs: Library[] = [];
afterEach(() => {
  for (const lib of libs.splice(0)) lib.dispose();
  vi.restoreAllMocks();
});
function define(schema: string, tags: readonly Tag[], warn?: boolean) {
  const lib = library();
  libs.push(lib);
  return lib.define(schema, { tags, ...(warn === undefined ? {} : { warnOnAliasingReturn: warn }) });
}

const OUT_OK: readonly string[] = [
  "add.out(Tensor self, Tensor other, *, Scalar alpha=1, Tensor(a!) out) -> Tensor(a!)",
  "max.dim_max(Tensor self, int dim, bool keepdim=False, *, Tensor(a!) max, Tensor(b!) max_values) -> (Tensor(a!) values, Tensor(b!) indices)",
  "foreach_add.List_out(Tensor[] self, Tensor[] other, *, Tensor(a!)[] out) -> Tensor(a!)[]",
];
const INPLACE_OK: readonly string[] = [
  "add_(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
  "two_shot_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)",
  "fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)",
];
/** [tag, schema, the rule the error must name, a fragment of what it found]. */
const BROKEN: ReadonlyArray<readonly [Tag, string, string, string]> = [
  ["out", "f(Tensor x) -> Tensor", "an out= op has mutable arguments", "it has none"],
  ["out", "one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)", "every mutable argument is keyword-only", '"out" is positional'],
  ["out", "f(Tensor x, *, Tensor(a!) out) -> ()", "the mutable arguments are returned, in order", "expected returns (Tensor(a!)), found (())"],
  ["out", "f(Tensor x, *, Tensor(a!) a, Tensor(b!) b) -> (Tensor(b!), Tensor(a!))", "the mutable arguments are returned, in order", "found (Tensor(b!), Tensor(a!))"],
  ["out", "f(Tensor x, *, Tensor(a!) out) -> Tensor(a)", "the mutable arguments are returned, in order", "found (Tensor(a))"],
  ["out", "f(Tensor x, *, Tensor(a!) out) -> (Tensor(a!), Tensor)", "the mutable arguments are returned, in order", "found (Tensor(a!), Tensor)"],
  ["out", "f(Tensor(b!) x, *, Tensor(a!) out) -> Tensor(a!)", "every mutable argument is keyword-only", '"x" is positional'],
  ["inplace", "f(Tensor self, Tensor(a!) other) -> Tensor(a!)", "the first positional argument is a mutable Tensor (Tensor(a!))", '"self" is Tensor'],
  ["inplace", "_foreach_add_.List(Tensor(a!)[] self, Tensor[] other, *, Scalar alpha=1) -> ()", "the first positional argument is a mutable Tensor (Tensor(a!))", '"self" is Tensor(a!)[]'],
  ["inplace", "f(Tensor(a!)? self) -> Tensor(a!)?", "the first positional argument is a mutable Tensor", '"self" is Tensor(a!)?'],
  ["inplace", "f(*, Tensor(a!) self) -> Tensor(a!)", "the first positional argument is a mutable Tensor", "there is no positional argument"],
  ["inplace", "f(Tensor(a!) self, *, Tensor(b!) other) -> Tensor(a!)", "the first positional argument is the only mutated one", '"other" is mutated too'],
  ["inplace", "two_shot_all_reduce_out(Tensor(a!) input, str reduce_op, str group_name, Tensor(b!) output) -> Tensor(b!)", "the first positional argument is the only mutated one", '"output" is mutated too'],
  ["inplace", "f(Tensor(a!) self) -> ()", 'it is returned: the op returns exactly "self" (Tensor(a!))', "found (())"],
  ["inplace", "f(Tensor(a!) self) -> Tensor(a)", 'it is returned: the op returns exactly "self" (Tensor(a!))', "found (Tensor(a))"],
  ["inplace", "f(Tensor(a!) self) -> (Tensor(a!), Tensor)", "it is returned", "found (Tensor(a!), Tensor)"],
  ["inplace", "f(Tensor(a!) self, Tensor other) -> Tensor", "it is returned", "found (Tensor)"],
];

describe("Tag.out and Tag.inplace rules at definition", () => {
  it.each(OUT_OK)("Tag.out accepts %s", (schema) => {
    expect(define(schema, ["out"]).tags).toEqual(["out"]);
  });

  it.each(INPLACE_OK)("Tag.inplace accepts %s", (schema) => {
    expect(define(schema, ["inplace"]).tags).toEqual(["inplace"]);
  });

  it.each(BROKEN)("Tag.%s rejects %s, naming the rule", (tag, schema, rule, found) => {
    const lib = library();
    libs.push(lib);
    const call = () => lib.define(schema, { tags: [tag] });
    expect(call).toThrow(OpError);
    expect(call).toThrow(`Tag.${tag} rule "${rule}`);
    expect(call).toThrow(found);
    // A broken rule defines nothing.
    expect(findOp(`${lib.namespace}::${parseSchema(schema).qualifiedName}`)).toBeUndefined();
  });

  it("stores the tags on the entry, the handle and what findOp returns", () => {
    const def = define("add_(Tensor(a!) self, Tensor other) -> Tensor(a!)", ["inplace", "pt2_compliant_tag", "inplace"]);
    expect(def.tags).toEqual(["inplace", "pt2_compliant_tag"]);
    expect(def.entry.tags).toEqual(["inplace", "pt2_compliant_tag"]);
    expect(findOp(def.name)?.tags).toEqual(["inplace", "pt2_compliant_tag"]);
    expect(Object.isFrozen(def.entry.tags)).toBe(true);
    expect(define("g(Tensor x) -> Tensor", []).entry.tags).toEqual([]);
    const lib = library();
    libs.push(lib);
    expect(lib.define("h(Tensor x) -> Tensor").tags).toEqual([]);
  });

  it("other tags carry no rule; unknown tags and non-arrays are refused", () => {
    expect(define("f(Tensor x) -> Tensor", ["pointwise", "core"]).tags).toEqual(["pointwise", "core"]);
    const lib = library();
    libs.push(lib);
    expect(() => lib.define("f(Tensor x) -> Tensor", { tags: ["outt" as Tag] })).toThrow(/expected a tag of torch\.Tag \(core, .*\), found "outt"/);
    expect(() => lib.define("f(Tensor x) -> Tensor", { tags: "out" as unknown as Tag[] })).toThrow('expected tags to be an array of tag names, found "out"');
    expect(TAGS).toContain("out");
    expect(TAGS).toContain("inplace");
  });

  it("refuses overload names PyTorch reserves", () => {
    const lib = library();
    libs.push(lib);
    expect(() => lib.define("f.__x(Tensor x) -> Tensor")).toThrow('overload names starting with "__" are not legal');
  });
});

describe("the aliasing-return deprecation warning", () => {
  it("is given once per op that returns an alias of an input with neither tag", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const lib = library();
    libs.push(lib);
    const def = lib.define("my_out(Tensor x, Tensor(a!) out) -> Tensor(a!)");
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toContain(`${lib.namespace}::my_out: returns an alias of its input "out" but is tagged neither Tag.out nor Tag.inplace`);
    expect(message).toContain("deprecated (PyTorch 2.13) and this will become an error in a future release");
    def.dispose();
    lib.define("my_out(Tensor x, Tensor(a!) out) -> Tensor(a!)");
    expect(warn).toHaveBeenCalledTimes(1);
    lib.define("my_view(Tensor(a) x) -> Tensor(a)");
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]?.[0])).toContain('my_view: returns an alias of its input "x"');
    lib.define("my_split(Tensor(a -> *) self) -> Tensor(a)[]");
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it("is not given to tagged ops, ops that return () or fresh tensors, or with warnOnAliasingReturn: false", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    define("a_(Tensor(a!) self) -> Tensor(a!)", ["inplace"]);
    define("b(Tensor self, *, Tensor(a!) out) -> Tensor(a!)", ["out"]);
    define("c(Tensor self, Tensor(a!) out) -> ()", []);
    define("d(Tensor self) -> Tensor", []);
    define("e(Tensor self, Tensor(a!) out) -> Tensor(a!)", [], false);
    define("f(t[](a) list, int idx) -> t(*)", []);
    expect(warn).not.toHaveBeenCalled();
  });

  it("aliasingReturnWarning says when it applies", () => {
    expect(aliasingReturnWarning(parseSchema("ns::f(Tensor(a!) x) -> Tensor(a!)"), [])).toMatch(/^ns::f: returns an alias/);
    expect(aliasingReturnWarning(parseSchema("ns::f(Tensor(a!) x) -> Tensor(a!)"), ["inplace"])).toBeUndefined();
    expect(aliasingReturnWarning(parseSchema("ns::f(Tensor(a!) x) -> Tensor"), [])).toBeUndefined();
  });
});

describe("the built-in ops", () => {
  /** Which rule a schema fits, computed from the rules themselves. */
  const fits = (schema: string, tag: Tag): boolean => {
    try {
      checkTagRules(parseSchema(schema), [tag]);
      return true;
    } catch (e) {
      if (!(e instanceof OpError)) throw e;
      return false;
    }
  };

  it("tag inplace exactly the symm_mem ops whose PyTorch schema fits Tag.inplace; none fits Tag.out", () => {
    const fitInplace = SYMM_MEM_OPS.filter((op) => fits(op.schema, "inplace")).map((op) => parseSchema(op.schema).name);
    const tagged = SYMM_MEM_OPS.filter((op) => op.tags?.includes("inplace")).map((op) => parseSchema(op.schema).name);
    expect(tagged).toEqual(fitInplace);
    expect(fitInplace).toEqual(expect.arrayContaining(["two_shot_all_reduce_", "multimem_all_reduce_"]));
    expect(SYMM_MEM_OPS.filter((op) => fits(op.schema, "out"))).toEqual([]);
    expect(SYMM_MEM_OPS.filter((op) => op.tags?.includes("out"))).toEqual([]);
    for (const op of SYMM_MEM_OPS) {
      expect(findOp(`symm_mem::${parseSchema(op.schema).name}`)?.tags, op.schema).toEqual(op.tags ?? []);
    }
  });

  it("tag webshmem::host_all_reduce_ inplace", () => {
    expect(fits(WEBSHMEM_OPS.host_all_reduce_?.schema ?? "", "inplace")).toBe(true);
    expect(findOp("webshmem::host_all_reduce_")?.tags).toEqual(["inplace"]);
  });

  it("are defined without the deprecation warning, as PyTorch's C++-defined symm_mem ops", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.resetModules();
    const fresh = await import("../../src/library/op-table.ts");
    // A fresh module graph defines the ops again, into a fresh table.
    await import("../../src/ops/symm_mem/definitions.ts");
    expect(fresh.findOp("symm_mem::one_shot_all_reduce_out")).toBeDefined();
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("returns an alias"))).toEqual([]);
  });
});
