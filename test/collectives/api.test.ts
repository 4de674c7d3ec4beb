/** The high-level API, the tuning table, one-sided ops and the utility ops, on 3 cpu ranks. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_REDUCE_TUNING, chooseAllReduceAlgo, launch, type World } from "../../src/internal.ts";
import type { highLevel, oneSided, remoteTensors, writeValues } from "../fixtures/collective-ranks.ts";

type Result<F extends (...a: never[]) => unknown> = Awaited<ReturnType<F>>;
const ramp = <T = number>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe("tuning table", () => {
  it("has an entry per in-tree backend and picks one-shot up to its threshold", () => {
    expect(Object.keys(ALL_REDUCE_TUNING).sort()).toEqual(["cpu", "webgpu", "webgpu/chromium", "webgpu/deno", "webgpu/node"]);
    expect(chooseAllReduceAlgo("cpu", 512, 4)).toBe("one_shot");
    expect(chooseAllReduceAlgo("cpu", 513, 4)).toBe("host");
    expect(chooseAllReduceAlgo("cpu", 256 * 1024, 4)).toBe("host");
    expect(chooseAllReduceAlgo("cpu", 256 * 1024 + 1, 4)).toBe("two_shot");
    expect(chooseAllReduceAlgo("webgpu", 8, 2, "deno")).toBe("host");
    expect(chooseAllReduceAlgo("webgpu", 1 << 26, 8, "chromium")).toBe("host");
    expect(chooseAllReduceAlgo("webgpu", 1 << 26, 8, "node")).toBe("host");
    expect(chooseAllReduceAlgo("cuda-plugin", 1 << 20, 4)).toBe("two_shot");
  });
});

describe("on 3 cpu ranks", () => {
  let world: World;
  const W = 3;
  beforeAll(async () => {
    world = await launch({
      worldSize: W, heapBytes: 4 << 20, backend: "cpu", rankModule: new URL("../fixtures/collective-ranks.ts", import.meta.url),
    });
  });
  afterAll(() => world?.close());

  it("rank.allReduce / reduceScatter / allGather / broadcast", async () => {
    const all = await world.run<Result<typeof highLevel>>("highLevel");
    all.forEach((x, r) => {
      expect(x.sum).toEqual({ shape: [2, 3], values: ramp(6, (i) => 6 * (i + 1)) });
      expect(x.xAfter, "allReduce must not modify its input").toEqual(ramp(6, (i) => (r + 1) * (i + 1)));
      expect(x.two).toEqual(ramp(6, (i) => W * (i + 1)));
      expect(x.one).toEqual(ramp(6, (i) => i + 1));
      // auto: one-shot realizes the input only; past 256 KiB two-shot realizes input and output.
      expect(x.autoSmallRealizations).toBe(1);
      expect(x.autoLargeRealizations).toBe(2);
      expect([x.bigFirst, x.bigLast]).toEqual([6, 6]);
      expect(x.rs).toEqual({ shape: [2, 3], values: ramp(6, (j) => 3 * (r * 6 + j) + 3) });
      expect(x.rsSplit).toEqual({
        shape: [2, 2], values: [0, 1].flatMap((row) => [0, 1].map((c) => 6 * (row * 6 + 2 * r + c))),
      });
      expect(x.ag).toEqual({ shape: [3, 2], values: [0, 0.5, 1, 1.5, 2, 2.5] });
      expect(x.broadcast).toEqual({ same: true, values: [2, 2, 2] });
      expect(x.sub).toEqual(r % 2 === 0 ? [2, 2] : null);
    });
  });

  it("put, get, get(dst, handle, peer, offset), putWithSignal / waitSignal", async () => {
    const all = await world.run<Result<typeof oneSided>>("oneSided");
    all.forEach((x, r) => {
      const next = (r + 1) % W;
      expect(x.tail).toEqual([1, 2, 3].map((j) => next * 10 + j));
    });
    expect(all[1].received).toEqual([0, 1, 2, 3]);
    expect(all.map((x) => x.afterGet)).toEqual([[0, 1, 22, 23], [0, 1, 2, 3], [20, 21, 22, 23]]);
    expect(all.map((x) => x.final)).toEqual([[0, 1, 22, 23], [0, 1, 22, 23], [20, 21, 22, 23]]);
  });

  it("get_remote_tensors: every rank's view in rank order; writes land in the peer", async () => {
    const all = await world.run<Result<typeof remoteTensors>>("remoteTensors");
    all.forEach((x, r) => {
      expect(x.seen).toEqual(ramp(W, (p) => [p + 0.5, p + 0.5, p + 0.5]));
      expect(x.selfIsX).toBe(true);
      expect(x.mineAfter).toEqual([100 + ((r + W - 1) % W), r + 0.5, r + 0.5]);
    });
  });

  it("stream_write_value32_ and memset32_ on heap and cpu tensors; peers see heap writes", async () => {
    const all = await world.run<Result<typeof writeValues>>("writeValues");
    const flags = (r: number) => [0, 0, 0xffffffff, 0, 7 + r, 7 + r, 7 + r, 0];
    all.forEach((x, r) => {
      expect(x.same).toBe(true);
      expect(x.mine).toEqual(flags(r));
      expect(x.peer).toEqual(flags((r + 1) % W));
      expect(x.local).toEqual([5, 9, 9, 9, 9]);
    });
  });
});
