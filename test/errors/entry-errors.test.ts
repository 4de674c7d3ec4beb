/**
 * Typed errors at every public entry (issue 13, item 6): each escape the fuzzer found, as a
 * deterministic case. Every call gets null, undefined, wrong types, Object.prototype keys,
 * aliases or negative sizes, and must throw (or reject with) a WebshmemError subclass whose
 * message names the call and what was found; a rejected signal call must leave the pads at zero.
 */
import { describe, expect, it } from "vitest";
import {
  itemsize, normalizeDType, OpError, padWord, type SymmetricTensor, SymmetricMemoryError, WebshmemError,
} from "../../src/index.ts";
import { allocating } from "../../src/rank/entry-checks.ts";
import { checkShape } from "../../src/core/dtype.ts";
import { localRank } from "../helpers/local-rank.ts";

const PROTO_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

/** `fn()` throws synchronously or rejects, with an instance of `cls` whose message matches `message`. */
async function fails(fn: () => unknown, cls: new (...a: never[]) => Error, message?: RegExp | string): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, "expected a throw").toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(WebshmemError);
  if (message !== undefined) expect((caught as Error).message).toMatch(message);
}

describe("dtypes: Object.prototype keys and aliases", () => {
  const rank = localRank(1 << 16);
  it.each(PROTO_KEYS)("%s is an unknown dtype everywhere", async (key) => {
    expect(() => normalizeDType(key)).toThrow(SymmetricMemoryError);
    expect(() => normalizeDType(key)).toThrow(`unknown dtype "${key}": expected one of float32`);
    expect(() => itemsize(key as never)).toThrow(SymmetricMemoryError);
    await fails(() => rank.symm.empty([2], key), SymmetricMemoryError, `symm.empty: unknown dtype "${key}"`);
    await fails(() => rank.zeros([2], key), SymmetricMemoryError, `rank.zeros: unknown dtype "${key}"`);
    await fails(() => rank.tensor([1, 2], { dtype: key }), SymmetricMemoryError, `rank.tensor: unknown dtype "${key}"`);
    const t = rank.symm.empty([4], "float32");
    await fails(() => t.view(0, [1], key as never), SymmetricMemoryError, `view: unknown dtype "${key}"`);
    const h = await rank.symm.rendezvous(t);
    await fails(() => h.getBuffer(0, [1], key as never), SymmetricMemoryError, `getBuffer: unknown dtype "${key}"`);
    rank.symm.free(t);
  });

  it("non-string dtypes are described, not stringified", () => {
    expect(() => normalizeDType(null as never)).toThrow("unknown dtype (null)");
    expect(() => normalizeDType(5 as never)).toThrow("unknown dtype (number 5)");
    expect(() => normalizeDType(Object.create(null) as never)).toThrow("unknown dtype (plain object)");
  });

  it("getBuffer and view take the aliases symm.empty takes", async () => {
    const t = rank.symm.empty([4], "f32");
    const h = await rank.symm.rendezvous(t);
    const b = h.getBuffer(0, [4], "f32" as "float32");
    expect(b).toBeInstanceOf(Float32Array);
    expect(b.length).toBe(4);
    expect(h.getBuffer(0, [2], "bf16" as never)).toBeInstanceOf(Uint16Array);
    const v = t.view(4, [2], "i32" as never);
    expect(v.dtype).toBe("int32");
    expect(v.data).toBeInstanceOf(Int32Array);
    rank.symm.free(t);
  });
});

describe("shapes: negative, fractional, non-numbers, too many elements", () => {
  const rank = localRank(1 << 16);
  const bad: unknown[] = [[-1], [1.5], ["2"], [NaN], [null], [2 ** 53, 2], [1e300, 1e300], "4", null, 4, { length: 1 }];
  it.each(bad.map((s) => [JSON.stringify(s) ?? String(s), s]))("%s", async (_name, shape) => {
    expect(() => checkShape(shape as never, "x")).toThrow(SymmetricMemoryError);
    await fails(() => rank.symm.empty(shape as never), SymmetricMemoryError, /^symm\.empty: /);
    await fails(() => rank.zeros(shape as never), SymmetricMemoryError, /^rank\.zeros: /);
    const t = rank.symm.empty([16], "float32");
    // A view with a negative shape used to be accepted and fail later, on .data.
    await fails(() => t.view(0, shape as never, "float32"), SymmetricMemoryError, /^view: /);
    const h = await rank.symm.rendezvous(t);
    await fails(() => h.getBuffer(0, shape as never, "float32"), SymmetricMemoryError, /^getBuffer: /);
    rank.symm.free(t);
  });

  it("a sparse shape's holes are not sizes", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => checkShape([2, , 3] as never, "x")).toThrow("x: every size must be a non-negative integer, found [2, undefined, 3]");
  });

  it("view offsets: negative, fractional, strings", async () => {
    const t = rank.symm.empty([16], "float32");
    for (const off of [-4, 1.5, "4", null, Number.NaN]) {
      await fails(() => t.view(off as never, [1], "float32"), SymmetricMemoryError, /^view: byte offset/);
    }
    await fails(() => t.view(252, [2], "float32"), SymmetricMemoryError, /view of 8 bytes at byte 252 does not fit allocation world#\d+ of 256 bytes/);
    rank.symm.free(t);
  });

  it("a tensor too large for the machine is an OpError, not a RangeError", () => {
    expect(() => allocating("rank.zeros", [2 ** 50], "float32", () => {
      throw new RangeError("Array buffer allocation failed");
    })).toThrow(new OpError("rank.zeros: could not allocate a float32[1125899906842624] tensor: Array buffer allocation failed"));
  });
});

describe("heap entries given a regular tensor, null or a foreign value", () => {
  const rank = localRank(1 << 16);
  const regular = () => rank.zeros([4]);
  it.each([["a regular tensor", "regular"], ["null", null], ["undefined", undefined], ["a number", 3], ["a plain object", {}]])(
    "symm.free, rendezvous, put, get, putWithSignal, waitSignal: %s", async (_what, v) => {
      const value = v === "regular" ? regular() : v;
      const found = v === "regular" ? "a regular cpu tensor" : undefined;
      await fails(() => rank.symm.free(value as never), SymmetricMemoryError, found ?? /^symm\.free: tensor must be a symmetric tensor/);
      await fails(() => rank.symm.rendezvous(value as never), SymmetricMemoryError, /^rendezvous: tensor must be a symmetric tensor/);
      await fails(() => rank.put(value as never, 0), SymmetricMemoryError, /^put: tensor must be a symmetric tensor/);
      await fails(() => rank.get(value as never, 0), SymmetricMemoryError, /^get: tensor must be a symmetric tensor/);
      await fails(() => rank.putWithSignal(value as never, 0, 0), SymmetricMemoryError, /^putWithSignal: tensor must be/);
      await fails(() => rank.waitSignal(value as never, 0, 0), SymmetricMemoryError, /^waitSignal: tensor must be/);
    },
  );

  it("groups: only names and this heap's Group objects", async () => {
    for (const g of [5, null, {}, { name: "world" }, []]) {
      await fails(() => rank.symm.group(g as never), SymmetricMemoryError, /^group: expected a group name or a Group/);
      await fails(() => rank.symm.empty([1], "float32", { group: g as never }), SymmetricMemoryError);
    }
    for (const name of PROTO_KEYS) await fails(() => rank.symm.group(name), SymmetricMemoryError, `unknown group "${name}"`);
    expect(rank.symm.group(rank.symm.world)).toBe(rank.symm.world);
  });

  it("symm.empty options", async () => {
    await fails(() => rank.symm.empty([1], "float32", null as never), SymmetricMemoryError, "symm.empty: options must be an object (or left out), found null");
    await fails(() => rank.symm.empty([1], "float32", { label: 5 as never }), SymmetricMemoryError, "symm.empty: label must be a string, found number 5");
    expect(rank.symm.allocations()).toEqual([]);
  });

  it("newGroup: a string, null, bad options — before any registration or signal", async () => {
    await fails(() => rank.symm.newGroup("01" as never), SymmetricMemoryError, 'newGroup: ranks must be an array of distinct world ranks in [0, 0], found string "01"');
    await fails(() => rank.symm.newGroup(null as never), SymmetricMemoryError, /found null/);
    await fails(() => rank.symm.newGroup(["0"] as never), SymmetricMemoryError, 'found [string "0"]');
    await fails(() => rank.symm.newGroup([0, 0]), SymmetricMemoryError, "found [0, 0]");
    await fails(() => rank.symm.newGroup([0], null as never), SymmetricMemoryError, "newGroup: options must be an object");
    await fails(() => rank.symm.newGroup([0], { name: 5 as never }), SymmetricMemoryError, "newGroup: name must be a non-empty string, found number 5");
    await fails(() => rank.symm.newGroup([0], { timeoutMs: "5" as never }), SymmetricMemoryError, 'newGroup: timeoutMs must be a non-negative number of milliseconds, found "5"');
    const g = await rank.symm.newGroup([0], { name: "constructor" });
    expect(rank.symm.group("constructor")).toBe(g);
  });
});

describe("collectives: null tensors and options", () => {
  const rank = localRank(1 << 16);
  const x = () => rank.tensor([1, 2, 3, 4]);
  it.each(["allReduce", "reduceScatter", "allGather", "broadcast"] as const)("%s", async (name) => {
    const call = rank[name].bind(rank) as (t: unknown, o?: unknown) => Promise<unknown>;
    for (const t of [null, undefined, 5, "x", {}, new Float32Array(4)]) {
      await fails(() => call(t), OpError, new RegExp(`^${name}: argument "input" expected a tensor`));
    }
    for (const o of [null, 5, "sum", []]) {
      await fails(() => call(x(), o), OpError, new RegExp(`^${name}: options must be an object \\(or left out\\)`));
    }
    await fails(() => call(x(), { group: 7 }), SymmetricMemoryError, /^group: expected a group name/);
    const freed = rank.symm.empty([4], "float32");
    rank.symm.free(freed);
    await fails(() => call(freed), SymmetricMemoryError, /was freed/);
  });

  it("option values that JSON.stringify cannot print", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await fails(() => rank.allReduce(x(), { op: cyclic as never }), OpError, 'allReduce: argument "reduce_op" expected one of sum, avg, max, min, prod, found plain object');
    await fails(() => rank.allReduce(x(), { algo: 5n as never }), OpError, 'option "algo" expected one of "auto", "one_shot", "two_shot", "host", found bigint 5n');
    await fails(() => rank.reduceScatter(x(), { splitLastDim: "yes" as never }), OpError, 'reduceScatter: option "splitLastDim" expected a boolean, found string "yes"');
  });

  it("the rank's own entries", async () => {
    await fails(() => rank.read(null as never), OpError, "rank.read: expected a tensor");
    await fails(() => rank.tensor(null as never), OpError, "rank.tensor: data must be an array of numbers or a typed array, found null");
    await fails(() => rank.tensor("abc" as never), OpError, /found string "abc"/);
    await fails(() => rank.tensor(new DataView(new ArrayBuffer(4)) as never), OpError, /found object DataView/);
    await fails(() => rank.tensor([1, "2"] as never), OpError, 'rank.tensor: data must hold numbers, found string "2" at index 1');
    await fails(() => rank.tensor([1], null as never), OpError, "rank.tensor: options must be an object");
    await fails(() => rank.call(Object.create(null)), OpError, "rank.call: the operator name must be a string");
    await fails(() => rank.meta(5 as never), OpError, "rank.meta: the operator name must be a string");
    await fails(() => rank.configure(null as never, undefined), OpError, "configure: the operator name must be a string");
    await fails(() => rank.configure("webshmem::host_all_reduce_", null as never), OpError, "configure: settings must be an object");
    await fails(() => rank.configure("webshmem::host_all_reduce_", { chunkBytes: 5n } as never), OpError, "configure: settings must be plain data");
    await fails(() => rank.onEvent(5 as never), OpError, "onEvent: the listener must be a function, found number 5");
  });
});

describe("one-sided and signals: bad peers, channels, timeouts, destinations — and clean pads", () => {
  const rank = localRank(1 << 16);
  async function setup(): Promise<{ t: SymmetricTensor; pad: Int32Array; done: () => void }> {
    const t = rank.symm.empty([4], "float32");
    const h = await rank.symm.rendezvous(t);
    return { t, pad: h.getSignalPad(0), done: () => rank.symm.free(t) };
  }
  const badTimeouts: unknown[] = ["5", [], null, -1, Number.NaN, {}, true];

  it("a signal call rejected on its options raises no signal", async () => {
    const { t, pad, done } = await setup();
    const h = await rank.symm.rendezvous(t);
    for (const timeoutMs of badTimeouts) {
      for (const channel of [0, 3]) {
        await fails(() => h.putSignal(0, { channel, timeoutMs } as never), SymmetricMemoryError, /^putSignal: timeoutMs must be/);
        await fails(() => h.barrier({ channel, timeoutMs } as never), SymmetricMemoryError, /^barrier: timeoutMs must be/);
        await fails(() => h.waitSignal(0, { channel, timeoutMs } as never), SymmetricMemoryError, /^waitSignal: timeoutMs must be/);
        await fails(() => rank.putWithSignal(t, 0, channel, { timeoutMs } as never), SymmetricMemoryError, /^putWithSignal: timeoutMs must be/);
        await fails(() => rank.waitSignal(t, 0, channel, { timeoutMs } as never), SymmetricMemoryError, /^waitSignal: timeoutMs must be/);
      }
    }
    for (const opts of [null, 5, "x", []]) {
      await fails(() => h.putSignal(0, opts as never), SymmetricMemoryError, /^putSignal: options must be an object/);
      await fails(() => h.barrier(opts as never), SymmetricMemoryError, /^barrier: options must be an object/);
      await fails(() => rank.putWithSignal(t, 0, 1, opts as never), SymmetricMemoryError, /^putWithSignal: options must be an object/);
    }
    for (const channel of [null, undefined, "0", -1, 32, 1.5]) {
      await fails(() => rank.putWithSignal(t, 0, channel as never), SymmetricMemoryError, /^putWithSignal: channel/);
    }
    for (const peer of [null, undefined, "0", -1, 1, 0.5, {}]) {
      await fails(() => rank.putWithSignal(t, peer as never, 0), SymmetricMemoryError, /^putWithSignal: peer .* out of range/);
      await fails(() => h.putSignal(peer as never), SymmetricMemoryError, /^putSignal: peer .* out of range/);
      await fails(() => h.getSignalPad(peer as never), SymmetricMemoryError, /^getSignalPad: peer .* out of range/);
    }
    expect(Array.from(pad).every((w) => w === 0)).toBe(true);
    // Valid calls still work, and balance: raised, then consumed.
    await rank.putWithSignal(t, 0, 2, { timeoutMs: 100 });
    expect(pad[2]).toBe(1);
    await rank.waitSignal(t, 0, 2, { timeoutMs: 100 });
    expect(Array.from(pad).every((w) => w === 0)).toBe(true);
    done();
  });

  it("put, get and getBuffer: peers, offsets and destinations", async () => {
    const { t, done } = await setup();
    const h = await rank.symm.rendezvous(t);
    await fails(() => rank.put(t, "0" as never), SymmetricMemoryError, 'put: peer (string "0") out of range');
    await fails(() => rank.get(t, 1), SymmetricMemoryError, 'get: peer 1 out of range: group "world" has 1 ranks, expected an integer in [0, 0]');
    await fails(() => rank.get(new DataView(new ArrayBuffer(4)) as never, h, 0), SymmetricMemoryError, "get: dst must be contiguous: a SymmetricTensor or a typed array, found object DataView");
    await fails(() => rank.get(new Float32Array(2), null as never, 0), SymmetricMemoryError, "get: handle must be a SymmetricMemoryHandle (from symm.rendezvous), found null");
    await fails(() => rank.get(new Float32Array(2), h, 0, "1" as never), SymmetricMemoryError, 'get: offset must be a non-negative integer (elements), found "1"');
    await fails(() => h.getBuffer(0, [1], "float32", -1), SymmetricMemoryError, "getBuffer: storageOffset must be a non-negative integer, found -1");
    await fails(() => h.getBuffer(0, [1000], "float32"), SymmetricMemoryError, "getBuffer: 1000 float32 elements at element offset 0 need 4000 bytes, but the buffer has 256");
    done();
  });
});

describe("padWord (main thread)", () => {
  const info = { name: "world", index: 0, ranks: [0, 1], padOffset: 0, size: 2, channels: 4, internalChannels: 2, words: 24 };
  it("checks the group and every index", () => {
    expect(padWord(info, 1, 5, 1)).toBe(23);
    for (const g of [null, undefined, 0, {}, { ...info, size: "2" }, { ...info, padOffset: -1 }]) {
      expect(() => padWord(g as never, 0, 0, 0)).toThrow(SymmetricMemoryError);
      expect(() => padWord(g as never, 0, 0, 0)).toThrow(/^padWord: group must be a PadGroupInfo/);
    }
    expect(() => padWord(info, 2, 0, 0)).toThrow(new SymmetricMemoryError('padWord: group "world": dst 2 (expected an integer in [0, 1])'));
    expect(() => padWord(info, 0, 6, 0)).toThrow('channel 6 (expected an integer in [0, 5])');
    expect(() => padWord(info, 0, 0, "1" as never)).toThrow('src (string "1") (expected an integer in [0, 1])');
  });
});
