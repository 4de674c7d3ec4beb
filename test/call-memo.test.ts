// The dispatcher's call memo (src/dispatch/call-memo.ts): a repeated call skips binding, and
// every change that would bind it differently is seen.
import { afterEach, describe, expect, it } from "vitest";
import { type BoundArgs, Library, type Rank } from "../src/index.ts";
import { backendsGeneration, registerBackend, unregisterBackend } from "../src/backends/backend.ts";
import { type Dispatcher, isTensor } from "../src/dispatch/dispatcher.ts";
import { localRank } from "./helpers/local-rank.ts";

const libs: Library[] = [];
afterEach(() => {
  while (libs.length > 0) libs.pop()!.dispose();
});
function lib(ns: string, kind: "DEF" | "IMPL" = "DEF"): Library {
  const l = new Library(ns, kind);
  libs.push(l);
  return l;
}
const dispatcherOf = (rank: Rank): Dispatcher => (rank as unknown as { dispatcher: Dispatcher }).dispatcher;
const hits = (rank: Rank): number => dispatcherOf(rank).memo.hits;

describe("the call memo", () => {
  it("serves a call repeated with the same values, and binds one with another value afresh", async () => {
    const l = lib("memo_same");
    l.define("f(Tensor x, str mode, int n=3) -> str");
    l.impl("f", (a: BoundArgs) => `${(a.x as { numel: number }).numel}/${a.mode}/${a.n}`, "cpu");
    const rank = localRank();
    const x = rank.tensor([1, 2]);
    expect(await rank.ops.memo_same.f(x, "a")).toBe("2/a/3");
    expect(await rank.ops.memo_same.f(x, "a")).toBe("2/a/3");
    expect(hits(rank)).toBe(1);
    expect(await rank.ops.memo_same.f(x, "b")).toBe("2/b/3");
    expect(await rank.ops.memo_same.f(rank.tensor([1, 2, 3]), "b")).toBe("3/b/3");
    expect(await rank.ops.memo_same.f(x, "b", 4)).toBe("2/b/4");
    expect(hits(rank)).toBe(1);
  });

  it("compares a named-arguments object property by property", async () => {
    const l = lib("memo_named");
    l.define("f(Tensor x, str mode) -> str");
    l.impl("f", (a: BoundArgs) => `${(a.x as { numel: number }).numel}/${a.mode}`, "cpu");
    const rank = localRank();
    const named: Record<string, unknown> = { x: rank.tensor([1]), mode: "a" };
    expect(await rank.call("memo_named::f", named)).toBe("1/a");
    expect(await rank.call("memo_named::f", { ...named })).toBe("1/a");
    expect(hits(rank)).toBe(1);
    named.x = rank.tensor([1, 2, 3, 4]);
    expect(await rank.call("memo_named::f", named)).toBe("4/a");
    named.extra = 1;
    await expect(rank.call("memo_named::f", named)).rejects.toThrow(/memo_named::f: .*extra/);
    expect(hits(rank)).toBe(1);
  });

  it("never remembers an array: its elements may change in place", async () => {
    const l = lib("memo_list");
    l.define("f(int[] sizes) -> int");
    l.impl("f", (a: BoundArgs) => (a.sizes as number[]).reduce((s, v) => s + v, 0), "cpu");
    const rank = localRank();
    const sizes = [1, 2];
    expect(await rank.ops.memo_list.f(sizes)).toBe(3);
    sizes.push(3);
    expect(await rank.ops.memo_list.f(sizes)).toBe(6);
    sizes[0] = 1.5;
    await expect(rank.ops.memo_list.f(sizes)).rejects.toThrow(/memo_list::f: argument "sizes" expected/);
    expect(hits(rank)).toBe(0);
  });

  it("sees a kernel, symm-mem arguments and backends registered after the call it remembers", async () => {
    const l = lib("memo_registry");
    l.define("k(Tensor a, str group_name) -> str");
    const first = lib("memo_registry", "IMPL");
    first.impl("k", () => "first", "cpu");
    const rank = localRank();
    const a = rank.tensor([1, 2]);
    expect(await rank.ops.memo_registry.k(a, "world")).toBe("first");
    first.dispose();
    await expect(rank.ops.memo_registry.k(a, "world")).rejects.toThrow(/memo_registry::k: no kernel for backend "cpu"/);
    l.impl("k", (args: BoundArgs) => (args.a as { kind: string }).kind, "cpu");
    expect(await rank.ops.memo_registry.k(a, "world")).toBe("regular");
    expect(await rank.ops.memo_registry.k(a, "world")).toBe("regular");
    expect(hits(rank)).toBe(1);
    l.registerSymmMemArgs("k", ["a"]);
    expect(await rank.ops.memo_registry.k(a, "world")).toBe("symmetric");
    expect(rank.stats.realizations).toBe(1);
    const before = backendsGeneration();
    registerBackend({ ...({} as Parameters<typeof registerBackend>[0]), name: "memo-test-backend", isTensor: (_v: unknown): _v is never => false });
    unregisterBackend("memo-test-backend");
    unregisterBackend("memo-test-backend"); // nothing to remove: no change
    expect(backendsGeneration()).toBe(before + 2);
    const h = hits(rank);
    expect(await rank.ops.memo_registry.k(a, "world")).toBe("symmetric");
    expect(hits(rank)).toBe(h);
  });

  it("refuses a remembered call of an op whose definition was disposed, as a fresh call", async () => {
    const def = lib("memo_gone");
    def.define("f(Tensor x) -> str");
    const kernels = lib("memo_gone", "IMPL");
    kernels.impl("f", () => "ran", "cpu");
    const rank = localRank();
    const x = rank.tensor([1]);
    expect(await rank.ops.memo_gone.f(x)).toBe("ran");
    expect(await rank.ops.memo_gone.f(x)).toBe("ran");
    expect(hits(rank)).toBe(1);
    def.dispose();
    await expect(rank.ops.memo_gone.f(x)).rejects.toThrow(/unknown operator "memo_gone::f"/);
  });

  it("refuses a freed symmetric tensor on a remembered call, as on a fresh one", async () => {
    const l = lib("memo_freed");
    l.define("k(Tensor a, str group_name) -> ()");
    l.impl("k", () => undefined, "cpu");
    const rank = localRank();
    const t = rank.symm.empty([4], "float32");
    await rank.ops.memo_freed.k(t, "world");
    await rank.ops.memo_freed.k(t, "world");
    expect(hits(rank)).toBe(1);
    rank.symm.free(t);
    const remembered = await rank.ops.memo_freed.k(t, "world").catch((e: Error) => e.message);
    dispatcherOf(rank).memo.clear();
    const fresh = await rank.ops.memo_freed.k(t, "world").catch((e: Error) => e.message);
    expect(remembered).toMatch(/memo_freed::k: argument a/);
    expect(remembered).toBe(fresh);
  });

  it("gives the kernel the settings of the moment and rebuilds the agreement signature when they change", async () => {
    const l = lib("memo_settings");
    l.define("k(Tensor a, str group_name) -> str");
    l.impl("k", (_a: BoundArgs, ctx: { settings?: Record<string, unknown> }) => JSON.stringify(ctx.settings ?? null), "cpu");
    const rank = localRank();
    const a = rank.tensor([1]);
    expect(await rank.ops.memo_settings.k(a, "world")).toBe("null");
    expect(await rank.ops.memo_settings.k(a, "world")).toBe("null");
    const memo = dispatcherOf(rank).memo;
    const words = () => [...(memo.find("memo_settings::k", [a, "world"], isTensor)?.signature?.words ?? [])];
    const plain = words();
    rank.configure("memo_settings::k", { depth: 2 });
    expect(await rank.ops.memo_settings.k(a, "world")).toBe('{"depth":2}');
    expect(words()).not.toEqual(plain);
    expect(words().length).toBe(plain.length);
  });
});
