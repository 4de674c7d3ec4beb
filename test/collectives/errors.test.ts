/**
 * Every error path of the collective kernels, the high-level API and the one-sided ops, with its
 * message: each names the op, the argument, what was expected and what was found.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, OpError, type Rank, type World } from "../../src/index.ts";
import { localRank } from "../helpers/local-rank.ts";
import type { multiRankErrors, oneSided } from "../fixtures/collective-ranks.ts";

const f32 = (rank: Rank, n: number, shape?: number[]) => rank.tensor(new Float32Array(n), { shape });
const i32 = (rank: Rank, n: number) => rank.tensor(new Int32Array(n), { dtype: "int32" });

describe("collective argument errors (one rank)", () => {
  const rank = localRank(1 << 20);
  const sm = rank.ops.symm_mem;

  it("dtype mismatch between arguments", async () => {
    await expect(sm.one_shot_all_reduce_out(f32(rank, 6), "sum", "world", i32(rank, 6))).rejects.toThrow(
      'symm_mem::one_shot_all_reduce_out: argument "out" expected dtype float32 (the dtype of "input"), found int32',
    );
    await expect(sm.one_shot_all_reduce_copy(f32(rank, 6), i32(rank, 4), "sum", "world")).rejects.toThrow(
      'symm_mem::one_shot_all_reduce_copy: argument "local_input" expected dtype float32 (the dtype of "symm_buffer"), found int32',
    );
    await expect(sm.multimem_all_gather_out(f32(rank, 2), "world", i32(rank, 2))).rejects.toThrow(
      'symm_mem::multimem_all_gather_out: argument "out" expected dtype float32 (the dtype of "input"), found int32',
    );
  });

  it("shape mismatch, out too small, out too large", async () => {
    await expect(sm.two_shot_all_reduce_out(f32(rank, 6), "sum", "world", f32(rank, 6, [2, 3]))).rejects.toThrow(
      'symm_mem::two_shot_all_reduce_out: argument "output" expected shape [6] (the shape of input), found [2, 3]',
    );
    await expect(sm.one_shot_all_reduce_out(f32(rank, 6), "sum", "world", f32(rank, 5))).rejects.toThrow(
      'symm_mem::one_shot_all_reduce_out: argument "out" is too small: expected 6 elements (the shape of input), found 5',
    );
    await expect(sm.multimem_one_shot_all_reduce_out(f32(rank, 6), "sum", "world", f32(rank, 7))).rejects.toThrow(
      'argument "out" is too large: expected 6 elements (the shape of input), found 7',
    );
    await expect(sm.one_shot_all_reduce_copy(f32(rank, 3), f32(rank, 4), "sum", "world")).rejects.toThrow(
      'symm_mem::one_shot_all_reduce_copy: argument "symm_buffer" is too small: expected at least 4 elements ' +
        "(the numel of local_input), found 3",
    );
    await expect(sm.one_shot_all_reduce_copy_out(f32(rank, 8), f32(rank, 4), "sum", "world", f32(rank, 3))).rejects.toThrow(
      'argument "out" is too small: expected 4 elements (the shape of local_input), found 3',
    );
  });

  it("reduce op unknown, or not valid for the dtype; unsupported dtype", async () => {
    await expect(sm.one_shot_all_reduce(f32(rank, 2), "mean", "world")).rejects.toThrow(
      'symm_mem::one_shot_all_reduce: argument "reduce_op" expected one of sum, avg, max, min, prod, found "mean"',
    );
    await expect(sm.two_shot_all_reduce_(i32(rank, 2), "avg", "world")).rejects.toThrow(
      'symm_mem::two_shot_all_reduce_: reduce_op "avg" is not valid for dtype int32: expected a floating dtype',
    );
    const u8 = rank.tensor(new Uint8Array(4), { dtype: "uint8" });
    await expect(sm.multimem_all_reduce_(u8, "sum", "world")).rejects.toThrow(
      'symm_mem::multimem_all_reduce_: argument "input" has dtype uint8; expected one of float32, float16, bfloat16, int32',
    );
    await expect(sm.reduce_scatter_out(u8, "world", false, u8)).rejects.toThrow(
      'symm_mem::reduce_scatter_out: argument "input" has dtype uint8',
    );
  });

  it("root out of range names the range", async () => {
    await expect(sm.multimem_one_shot_reduce_out(f32(rank, 2), "sum", 1, "world", f32(rank, 2))).rejects.toThrow(
      'symm_mem::multimem_one_shot_reduce_out: argument "root" expected a rank of group "world" in [0, 0], found 1',
    );
    await expect(sm.broadcast(f32(rank, 2), -1, "world")).rejects.toThrow(
      'symm_mem::broadcast: argument "root" expected a rank of group "world" in [0, 0], found -1',
    );
  });

  it("out must not overlap input in the heap", async () => {
    const a = rank.symm.empty([16], "float32");
    await expect(sm.one_shot_all_reduce_out(a.view(0, [8], "float32"), "sum", "world", a.view(16, [8], "float32")))
      .rejects.toThrow(/arguments "input" and "out" overlap in allocation world#\d+: expected disjoint memory, found bytes \[0, 32\) and \[16, 48\)/);
    rank.symm.free(a);
  });

  it("get_remote_tensors needs a symmetric tensor", async () => {
    await expect(sm.get_remote_tensors(f32(rank, 2), "world")).rejects.toThrow(
      'symm_mem::get_remote_tensors: argument "x" expected a symmetric tensor of group "world", found a cpu float32[2] tensor',
    );
  });

  it("stream_write_value32_ and memset32_: PyTorch's checks", async () => {
    const u = rank.tensor(new Uint32Array(6), { dtype: "uint32" });
    const flat = "input must be a flat, contiguous uint32 tensor";
    await expect(sm.memset32_(f32(rank, 6), 0, 1, 1)).rejects.toThrow(`symm_mem::memset32_: ${flat}; found a cpu float32[6] tensor`);
    await expect(sm.memset32_(rank.tensor(new Uint32Array(6), { dtype: "uint32", shape: [2, 3] }), 0, 1, 1))
      .rejects.toThrow(flat);
    await expect(sm.memset32_(u, -1, 1, 1)).rejects.toThrow("symm_mem::memset32_: offset must be greater than or equal to 0, found -1");
    await expect(sm.memset32_(u, 0, 2 ** 32, 1)).rejects.toThrow("val must be in the range of uint32 ([0, 4294967295]), found 4294967296");
    await expect(sm.memset32_(u, 0, -1, 1)).rejects.toThrow("val must be in the range of uint32");
    await expect(sm.memset32_(u, 0, 1, 0)).rejects.toThrow("symm_mem::memset32_: count must be a positive integer, found 0");
    await expect(sm.memset32_(u, 4, 1, 3)).rejects.toThrow(
      "symm_mem::memset32_: offset + count exceeded the numel of the input: 4 + 3 = 7 > 6",
    );
    await expect(sm.stream_write_value32_(f32(rank, 2), 0, 1)).rejects.toThrow(`symm_mem::stream_write_value32_: ${flat}`);
    await expect(sm.stream_write_value32_(u, -2, 1)).rejects.toThrow("offset must be greater than or equal to 0, found -2");
    await expect(sm.stream_write_value32_(u, 6, 1)).rejects.toThrow(
      "symm_mem::stream_write_value32_: offset must be less than the numel of the input (6), found 6",
    );
    await expect(sm.stream_write_value32_(u, 0, 2 ** 32)).rejects.toThrow("val must be in the range of uint32");
    expect(Array.from(await rank.read(u))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("high-level API: bad options name the method", async () => {
    const x = f32(rank, 4);
    await expect(rank.allReduce(x, { algo: "three_shot" as never })).rejects.toThrow(
      'allReduce: option "algo" expected one of "auto", "one_shot", "two_shot", "host", found "three_shot"',
    );
    await expect(rank.allReduce(x, { op: "mean" as never })).rejects.toThrow(OpError);
    await expect(rank.allReduce(i32(rank, 4), { op: "avg" })).rejects.toThrow('allReduce: reduce_op "avg" is not valid for dtype int32');
    await expect(rank.allReduce(x, { group: "nope" })).rejects.toThrow('unknown group "nope"');
    await expect(rank.broadcast(x, { root: 3 })).rejects.toThrow('argument "root" expected a rank of group "world" in [0, 0], found 3');
  });
});

describe("collective errors on 3 ranks", () => {
  let world: World;
  beforeAll(async () => {
    world = await launch({
      worldSize: 3, heapBytes: 1 << 20, backend: "cpu", rankModule: new URL("../fixtures/collective-ranks.ts", import.meta.url),
    });
  });
  afterAll(() => world?.close());

  it("reduce_scatter sizes, all_gather out, roots: every rank gets the same error, nobody hangs", async () => {
    const all = await world.run<Awaited<ReturnType<typeof multiRankErrors>>>("multiRankErrors");
    for (const e of all) expect(e).toEqual(all[0]);
    const e = all[0];
    expect(e.divisible).toBe(
      'OpError: symm_mem::reduce_scatter_out: argument "input" has 7 elements, which is not divisible by the group ' +
        "size 3: expected a multiple of 3",
    );
    expect(e.divisibleLastDim).toBe(
      "OpError: symm_mem::reduce_scatter_out: the last dim of argument \"input\" (shape [2, 4]) is 4, which is not " +
        "divisible by the group size 3: expected a multiple of 3",
    );
    expect(e.scatterOut).toBe(
      'OpError: symm_mem::reduce_scatter_out: argument "output" is too small: expected 4 elements (the numel of input / 3), found 3',
    );
    expect(e.scatterOutSplit).toMatch(/argument "output" is too large: expected 4 elements \(the numel of input \/ 3\), found 5/);
    expect(e.gatherOut).toBe(
      'OpError: symm_mem::multimem_all_gather_out: argument "out" is too small: expected 9 elements ' +
        "(the numel of input × group size 3), found 8",
    );
    expect(e.root).toMatch(/argument "root" expected a rank of group "world" in \[0, 2\], found 3/);
    expect(e.broadcastRoot).toMatch(/in \[0, 2\], found -1/);
  });

  it("one-sided: peer range, bounds, destination and channel checks", async () => {
    const all = await world.run<Awaited<ReturnType<typeof oneSided>>>("oneSided");
    const e = all[0].errors;
    expect(e.peer).toBe('SymmetricMemoryError: put: peer 3 out of range: group "world" has 3 ranks, expected an integer in [0, 2]');
    expect(e.negativePeer).toMatch(/SymmetricMemoryError: get: peer -1 out of range/);
    expect(e.bounds).toMatch(
      /^SymmetricMemoryError: get: 16 bytes at element offset 62 \(byte 248\) need 264 bytes, but the buffer of allocation world#\d+ has 256$/,
    );
    expect(e.offset).toBe("SymmetricMemoryError: get: offset must be a non-negative integer (elements), found -2");
    expect(e.dst).toBe("SymmetricMemoryError: get: dst must be contiguous: a SymmetricTensor or a typed array, found plain object");
    expect(e.channel).toBe("SymmetricMemoryError: putWithSignal: channel 1000 out of range: expected an integer in [0, 31] (signalChannels = 32)");
  });
});
