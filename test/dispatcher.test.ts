import { afterEach, describe, expect, it, vi } from "vitest";
import {
  findOp, GpuTensor, Library, OpError, SYMM_MEM_NAMESPACE, SYMM_MEM_OPS, symmMemRegistry, type BoundArgs,
} from "../src/index.ts";
import { SYMM_MEM_OPS as FIXTURE } from "./library/ops-schemas.ts";
import { localRank } from "./helpers/local-rank.ts";

const libs: Library[] = [];
afterEach(() => {
  while (libs.length > 0) libs.pop()!.dispose();
  vi.restoreAllMocks();
});
function lib(ns: string): Library {
  const l = new Library(ns, "DEF");
  libs.push(l);
  return l;
}

describe("the built-in symm_mem op set", () => {
  it("defines every op of docs/ops.md with PyTorch's schema and registered arguments", () => {
    expect(SYMM_MEM_OPS.length).toBe(FIXTURE.length);
    for (const f of FIXTURE) {
      const schema = f.schema.startsWith("symm_mem::") ? f.schema : `symm_mem::${f.schema}`;
      const name = schema.slice("symm_mem::".length, schema.indexOf("("));
      const entry = findOp(`${SYMM_MEM_NAMESPACE}::${name}`);
      expect(entry, name).toBeDefined();
      expect(entry!.schema.toString()).toBe(schema);
      expect(symmMemRegistry.get(`symm_mem::${name}`) ?? []).toEqual(f.registered);
      expect(symmMemRegistry.isSymmMemArg(`symm_mem::${name}`, "group_name")).toBe(false);
    }
  });

  it("checks the arguments before the kernel runs", async () => {
    const rank = localRank();
    const t = rank.tensor([1, 2, 3]);
    await expect(rank.ops.symm_mem.one_shot_all_reduce(t, 3, "world")).rejects.toThrow(
      /symm_mem::one_shot_all_reduce: argument "reduce_op" expected str, found number 3/,
    );
  });

  it("says which backend has no kernel", async () => {
    const l = lib("disp_nokernel");
    l.define("f(Tensor x) -> Tensor");
    l.impl("f", () => null, "webgpu");
    const rank = localRank();
    await expect(rank.ops.disp_nokernel.f(rank.tensor([1]))).rejects.toThrow(
      /disp_nokernel::f: no kernel for backend "cpu" \(kernels exist for: webgpu\)/,
    );
  });
});

describe("Dispatcher", () => {
  it("rejects an unknown operator, naming it", async () => {
    const rank = localRank();
    await expect(rank.call("nope::nothing", 1)).rejects.toThrow(/unknown operator "nope::nothing"/);
  });

  it("refuses tensors of two backends in one call", async () => {
    const l = lib("disp_mix");
    l.define("add(Tensor a, Tensor b) -> Tensor");
    l.impl("add", () => null, "cpu");
    const rank = localRank();
    const gpu = new GpuTensor("float32", [3], {} as GPUBuffer);
    await expect(rank.ops.disp_mix.add(rank.tensor([1, 2, 3]), gpu)).rejects.toThrow(
      /disp_mix::add: tensors from different backends cannot be mixed: a on cpu; b on webgpu/,
    );
  });

  it("warns once and skips realization when an op with symm args has no group_name", async () => {
    const l = lib("disp_nogroup");
    l.define("f(Tensor x) -> Tensor", { symmMemArgs: ["x"] });
    const seen: unknown[] = [];
    l.impl("f", (args: BoundArgs) => { seen.push(args.x); return args.x; }, "cpu");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const rank = localRank();
    const x = rank.tensor([1]);
    await rank.ops.disp_nogroup.f(x);
    await rank.ops.disp_nogroup.f(x);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/disp_nogroup::f: .*no group_name argument/);
    expect(seen).toEqual([x, x]);
    expect(rank.stats.realizations).toBe(0);
  });

  it("realizes each item of a Tensor[] argument, and nothing that is not registered", async () => {
    const l = lib("disp_list");
    l.define("g(Tensor[] xs, Tensor y, str group_name) -> ()", { symmMemArgs: ["xs"] });
    const kinds: string[] = [];
    l.impl("g", (args: BoundArgs) => {
      for (const x of args.xs as { kind: string }[]) kinds.push(x.kind);
      kinds.push((args.y as { kind: string }).kind);
    }, "cpu");
    const rank = localRank();
    await rank.ops.disp_list.g([rank.tensor([1, 2]), rank.tensor([3]), rank.zeros([5], "int32")], rank.tensor([4]), "world");
    expect(kinds).toEqual(["symmetric", "symmetric", "symmetric", "regular"]);
    expect(rank.stats.realizations).toBe(3);
    expect(rank.stats.workspaceAllocations).toBe(1);
  });

  it("gives the kernel heap copies with the caller's data, at 256-byte aligned offsets", async () => {
    const l = lib("disp_data");
    l.define("h(Tensor a, Tensor b, str group_name) -> ()", { symmMemArgs: ["a", "b"] });
    const got: { offset: number; data: number[] }[] = [];
    l.impl("h", (args: BoundArgs) => {
      for (const t of [args.a, args.b] as { byteOffset: number; data: Int32Array }[]) {
        got.push({ offset: t.byteOffset, data: Array.from(t.data) });
      }
    }, "cpu");
    const rank = localRank();
    await rank.ops.disp_data.h(rank.tensor([7, 8, 9], { dtype: "int32" }), rank.tensor([1], { dtype: "int32" }), "world");
    expect(got.map((g) => g.data)).toEqual([[7, 8, 9], [1]]);
    expect(got.every((g) => g.offset % 256 === 0)).toBe(true);
    expect(got[1].offset - got[0].offset).toBe(256);
  });

  it("names the unknown group", async () => {
    const l = lib("disp_group");
    l.define("k(Tensor a, str group_name) -> ()", { symmMemArgs: ["a"] });
    l.impl("k", () => undefined, "cpu");
    const rank = localRank();
    await expect(rank.ops.disp_group.k(rank.tensor([1]), "tp")).rejects.toThrow(/unknown group "tp": known groups are "world"/);
  });

  it("routes overloads through rank.ops.<ns>.<name>.<overload>", async () => {
    const l = lib("disp_ovl");
    l.define("m(Tensor a) -> int");
    l.define("m.two(Tensor a, Tensor b) -> int");
    l.impl("m", () => 1, "cpu");
    l.impl("m.two", () => 2, "cpu");
    const rank = localRank();
    const t = rank.tensor([1]);
    expect(await rank.ops.disp_ovl.m(t)).toBe(1);
    expect(await rank.ops.disp_ovl.m.two(t, t)).toBe(2);
    expect(await rank.call("disp_ovl::m.two", t, t)).toBe(2);
  });

  it("rejects bad tensor data with the sizes", () => {
    const rank = localRank();
    expect(() => rank.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(OpError);
    expect(() => rank.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/tensor data has 3 elements, but the shape needs 4/);
  });
});
