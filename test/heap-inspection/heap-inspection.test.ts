import { afterEach, describe, expect, it } from "vitest";
import { HEAP_ALIGNMENT, type HeapSnapshot, launch, padWord, type PadGroupInfo, type World } from "../../src/index.ts";
import { localRank } from "../helpers/local-rank.ts";

describe("symm.allocations() and symm.snapshot() on one rank", () => {
  it("lists every live allocation by offset, with group, size, dtype, shape and label; free removes it", () => {
    const rank = localRank(1 << 16);
    const a = rank.symm.empty([10], "float32", { label: "a" });
    const b = rank.symm.empty([2, 300], "int32");
    const c = rank.symm.empty([], "float16", { label: "scalar" });
    a.view(4, [2], "float32"); // a view is no allocation of its own
    expect(rank.symm.allocations()).toEqual([
      { id: "world#0", group: "world", offset: 0, bytes: 256, nbytes: 40, dtype: "float32", shape: [10], label: "a" },
      { id: "world#1", group: "world", offset: 256, bytes: 2560, nbytes: 2400, dtype: "int32", shape: [2, 300] },
      { id: "world#2", group: "world", offset: 2816, bytes: 256, nbytes: 2, dtype: "float16", shape: [], label: "scalar" },
    ]);
    expect(a.allocation.label).toBe("a");
    expect(b.allocation.label).toBeUndefined();
    rank.symm.free(b);
    expect(rank.symm.allocations().map((x) => x.id)).toEqual(["world#0", "world#2"]);
    const d = rank.symm.empty([64], "uint8"); // first fit: reuses b's block
    expect(rank.symm.allocations().map((x) => [x.id, x.offset])).toEqual([["world#0", 0], ["world#3", 256], ["world#2", 2816]]);
    const s = rank.symm.snapshot();
    expect(s.rank).toBe(0);
    expect(s.capacity).toBe(1 << 16);
    expect(s.freeBytes).toBe((1 << 16) - 3 * 256);
    expect(s.largestFreeBlock).toBe((1 << 16) - 3072);
    expect(s.allocations).toHaveLength(3);
    rank.symm.free(a);
    rank.symm.free(c);
    rank.symm.free(d);
    expect(rank.symm.allocations()).toEqual([]);
    expect(rank.symm.snapshot().freeBytes).toBe(1 << 16);
  });

  it("returns copies: changing a snapshot changes nothing in the heap", () => {
    const rank = localRank();
    rank.symm.empty([4], "float32");
    const list = rank.symm.allocations();
    (list[0].shape as number[]).push(99);
    list.pop();
    expect(rank.symm.allocations()).toHaveLength(1);
    expect(rank.symm.allocations()[0].shape).toEqual([4]);
  });

  it("refuses a label that is not a string, naming the option", () => {
    const rank = localRank();
    expect(() => rank.symm.empty([4], "float32", { label: 7 as never })).toThrow(
      /symm\.empty: label must be a string, found number/,
    );
    expect(rank.symm.allocations()).toEqual([]);
  });

  it("labels the dispatcher's workspaces with their purpose", async () => {
    const rank = localRank(1 << 20);
    const x = rank.tensor(Float32Array.from({ length: 1000 }, (_, i) => i));
    await rank.allReduce(x, { algo: "one_shot" });
    await rank.ops.webshmem.host_all_reduce_(rank.tensor(new Float32Array(1000)), "sum", "world");
    const labels = rank.symm.allocations().map((a) => a.label);
    expect(labels).toContain("workspace: realize");
    expect(labels).toContain("workspace: webshmem::host_all_reduce_/host_all_reduce_staged"); // a host tensor of 4 KB: staged whole
    for (const a of rank.symm.allocations()) {
      expect(a.dtype).toBe("uint8");
      expect(a.bytes % HEAP_ALIGNMENT).toBe(0);
    }
  });

  it("reports the world group's pads where the rank's own signal pads are", async () => {
    const rank = localRank();
    const [world] = rank.symm.snapshot().groups;
    expect(world).toEqual({
      name: "world", index: 0, ranks: [0], padOffset: 0, size: 1, channels: 32, internalChannels: 2, words: 34,
    });
    expect(padWord(world, 0, 5, 0)).toBe(5);
    expect(padWord(world, 0, 33, 0)).toBe(33);
    expect(() => padWord(world, 1, 0, 0)).toThrow(/padWord: group "world": dst 1 \(expected an integer in \[0, 0\]\)/);
    expect(() => padWord(world, 0, 34, 0)).toThrow(/channel 34 \(expected an integer in \[0, 33\]\)/);
  });
});

describe("heap snapshots and signal pads through launch (cpu backend, 4 ranks)", () => {
  const rankModule = new URL("./inspect-ranks.ts", import.meta.url);
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("every rank reports the same allocations, with the workspaces the collectives made", async () => {
    world = await launch({ worldSize: 4, heapBytes: 1 << 16, backend: "cpu", rankModule });
    const results = await world.run<{ before: HeapSnapshot; after: HeapSnapshot }>("inspectAfterCollectives");
    for (const [r, { before, after }] of results.entries()) {
      expect(before.rank).toBe(r);
      expect(before.capacity).toBe(1 << 16);
      expect(before.allocations.map((a) => [a.id, a.offset, a.bytes, a.dtype, a.label])).toEqual([
        ["world#0", 0, 512, "float32", "activations"],
        ["world#2", 768, 256, "bfloat16", "scratch"],
      ]);
      expect(before.freeBytes).toBe((1 << 16) - 768);
      // one_shot and two_shot realize into the same workspace; host has a workspace of its own
      const labels = after.allocations.map((a) => a.label);
      expect(labels.filter((l) => l === "workspace: realize")).toHaveLength(1);
      expect(labels.filter((l) => l?.startsWith("workspace: webshmem::host_all_reduce_/"))).toHaveLength(1);
      expect(after.freeBytes).toBe(after.capacity - after.allocations.reduce((s, a) => s + a.bytes, 0));
      expect(after.allocations).toEqual(results[0].after.allocations);
      expect(after.groups).toEqual([{
        name: "world", index: 0, ranks: [0, 1, 2, 3], padOffset: 0, size: 4, channels: 32, internalChannels: 2,
        words: 4 * 4 * 34,
      }]);
    }
  });

  for (const [what, groupRanks, src, dst, channel] of [
    ["the world", [], 2, 1, 3],
    ["a subgroup", [1, 3], 1, 0, 30],
  ] as const) {
    it(`world.signalPads() shows a raised signal in ${what} at padWord's slot until it is consumed`, async () => {
      world = await launch({ worldSize: 4, heapBytes: 1 << 16, backend: "cpu", rankModule });
      const start = world.signalPads();
      expect(start.worldSize).toBe(4);
      expect(start.channels).toBe(32);
      expect(start.internalChannels).toBe(2);
      expect(start.words.length).toBe(4 * 4 * 34);
      expect(start.words.every((w) => w === 0)).toBe(true);

      const go = new SharedArrayBuffer(8);
      const flag = new Int32Array(go);
      const run = world.run<HeapSnapshot>("signalAndHold", go, [...groupRanks], src, dst, channel);
      // until every rank is past its barriers (which light words of their own for a moment)
      for (let i = 0; i < 5000 && Atomics.load(flag, 1) < 4; i++) await new Promise((r) => setTimeout(r, 2));
      expect(Atomics.load(flag, 1)).toBe(4);
      const pads = world.signalPads();
      const lit = [...pads.words.keys()].filter((i) => pads.words[i] !== 0);
      Atomics.store(flag, 0, 1);
      const snapshots = await run;
      const group = snapshots[0].groups.at(-1) as PadGroupInfo;
      expect(group.ranks).toEqual(groupRanks.length === 0 ? [0, 1, 2, 3] : groupRanks);
      expect(lit).toEqual([padWord(group, dst, channel, src)]);
      expect(pads.words[lit[0]]).toBe(1);
      if (groupRanks.length > 0) {
        expect(group.padOffset).toBe(4 * 4 * 34);
        expect(pads.words.length).toBe(4 * 4 * 34 + 2 * 2 * 34);
      }
      for (const s of snapshots) expect(s.groups).toEqual(snapshots[0].groups);
      expect(world.signalPads().words.every((w) => w === 0)).toBe(true);
      // a copy: writing it does not reach the ranks' pads
      pads.words.fill(1);
      expect(world.signalPads().words.every((w) => w === 0)).toBe(true);
    });
  }
});
