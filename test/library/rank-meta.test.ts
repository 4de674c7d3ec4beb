/** rank.meta: the meta kernel of a built-in op, on a real world (group sizes from the heap). */
import { afterAll, beforeAll, expect, it } from "vitest";
import { launch, type World } from "../../src/index.ts";
import type { metaMatchesCall } from "../fixtures/meta-ranks.ts";

let world: World;
beforeAll(async () => {
  world = await launch({ worldSize: 3, heapBytes: 1 << 20, backend: "cpu", rankModule: new URL("../fixtures/meta-ranks.ts", import.meta.url) });
});
afterAll(() => world?.close());

it("predicts what the op returns, runs nothing, and throws the kernel's errors", async () => {
  const all = await world.run<Awaited<ReturnType<typeof metaMatchesCall>>>("metaMatchesCall");
  for (const r of all) {
    expect(r.predicted).toEqual(r.actual);
    expect(r.actual).toEqual({ shape: [3, 4], dtype: "float32" });
    expect(r.gathered).toEqual(Array.from({ length: 3 }, () => ({ shape: [5], dtype: "int32" })));
    expect(r.aliasedIsOut).toBe(true);
    expect(r.ranNothing).toBe(true);
    expect(r.shapeError).toMatch(/^symm_mem::one_shot_all_reduce_out: argument "out" is too small: expected 12 elements/);
    expect(r.avgError).toMatch(/reduce_op "avg" is not valid for dtype int32/);
  }
});
