/**
 * Property test over the public API (issue 13, item 6): generated calls with arbitrary arguments
 * (null, undefined, NaN, negative and huge numbers, strings and Object.prototype keys, arrays,
 * objects, regular and symmetric tensors, freed tensors, handles, typed arrays and DataViews)
 * on every entry a rank sees, plus launch options and padWord on the main thread. The properties:
 * only WebshmemError subclasses escape; a call every rank rejected with an argument error leaves
 * no signal in any pad and no allocation behind; and afterwards the world still passes a
 * verified all-reduce.
 *
 * Both ranks run the same generated call, so collectives stay symmetric. A wait with a valid
 * peer and channel gets a short timeout (see `shortenWaits`) so a call that legitimately waits for
 * a signal nobody sends costs milliseconds, not the launch's timeout.
 *
 * Reproduce a failure with the seed it prints: WEBSHMEM_FUZZ_SEED=<seed> npx vitest run test/property/public-api.test.ts
 * (WEBSHMEM_FUZZ_RUNS sets the number of calls).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, padWord, type PadGroupInfo, WebshmemError, type World } from "../../src/index.ts";
import {
  type FuzzCall, type FuzzOutcome, type FuzzValue, type Target, TYPED_NAMES,
} from "../fixtures/fuzz-ranks.ts";

const seed = Number(process.env.WEBSHMEM_FUZZ_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.WEBSHMEM_FUZZ_RUNS ?? 600);
const CHANNELS = 4;
const WORLD = 2;
const rankModule = new URL("../fixtures/fuzz-ranks.ts", import.meta.url);

// ── values ──

const lit = (v: unknown): FuzzValue => ({ k: "lit", v });
const obj = (e: readonly (readonly [string, FuzzValue])[]): FuzzValue => ({ k: "obj", e });

/** Numbers that find edges, and none that would allocate gigabytes if a size check were missing. */
const junkNumber = fc.constantFrom(0, -0, 1, 2, 3, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 50, 2 ** 53, 1e300, -(2 ** 31));
const junkString = fc.constantFrom(
  "", "0", "01", "1", "abc", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype",
  "f32", "float32", "int32", "uint8", "bf16", "sum", "avg", "world", "group1", "g1",
);
const junkLiteral: fc.Arbitrary<unknown> = fc.oneof(
  junkNumber, junkString, fc.constantFrom(null, undefined, true, false),
  fc.constantFrom([], [1], [0, 1], ["0"], [null], {}, { length: 2 }, { 0: 1, length: 1 }, [[1]]),
  fc.anything({ maxDepth: 2, maxKeys: 3, values: [junkNumber, junkString, fc.constantFrom(null, undefined, true)] }),
);

const dtypeName = fc.constantFrom("float32", "f32", "int32", "i32", "uint8", "bfloat16", "bf16", "float16", "half", "uint32");
const smallShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });

/** Values that are objects of the library (or look like them). */
const thing: fc.Arbitrary<FuzzValue> = fc.oneof(
  fc.record({ k: fc.constant("sym" as const), shape: smallShape, dtype: dtypeName }),
  fc.record({
    k: fc.constant("symView" as const), off: fc.constantFrom(0, 4, 8, 64), shape: smallShape,
    dtype: fc.constantFrom("float32", "int32", "uint8"),
  }),
  fc.constant({ k: "freed" as const }),
  fc.record({ k: fc.constant("reg" as const), n: fc.integer({ min: 0, max: 8 }), dtype: dtypeName }),
  fc.record({ k: fc.constant("handle" as const), n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ k: fc.constant("typed" as const), ctor: fc.constantFrom(...TYPED_NAMES), n: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ k: fc.constant("group" as const), name: fc.constantFrom("world", "g1", "g2") }),
  fc.constantFrom<FuzzValue>(
    { k: "fakeGroup" }, { k: "self" }, { k: "other" }, { k: "nullProto" }, { k: "protoKey" }, { k: "fn" }, { k: "bigint" },
  ),
);

const junk: fc.Arbitrary<FuzzValue> = fc.oneof({ weight: 3, arbitrary: junkLiteral.map(lit) }, { weight: 2, arbitrary: thing });
/** Mostly plausible values of one argument, sometimes anything. */
const either = (plausible: fc.Arbitrary<FuzzValue>): fc.Arbitrary<FuzzValue> =>
  fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: junk });

/** Valid values (weight 3) or edge values of the same kind (weight 1), as literals. */
const validOrNot = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzValue> =>
  fc.oneof({ weight: 3, arbitrary: valid.map(lit) }, { weight: 1, arbitrary: invalid.map(lit) });

const shapeV = either(validOrNot(
  smallShape,
  fc.constantFrom([-1], [1.5], ["2"], [NaN], [2 ** 50, 2 ** 50], [1, 1, 1, 1, 1, 1, 1, 1, 1], [1e300], [2 ** 53], [Infinity]),
));
const dtypeV = either(validOrNot(dtypeName, junkString));
const peerV = either(fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<FuzzValue>({ k: "self" }, { k: "other" }, lit(0), lit(1)) },
  { weight: 1, arbitrary: fc.constantFrom(2, -1, 1.5, "1", null, undefined, NaN, 2 ** 53).map(lit) },
));
const channelV = either(validOrNot(fc.constantFrom(0, 1, 3), fc.constantFrom(4, -1, 1000, "0", null, undefined, NaN, 1.5)));
const timeoutV = either(validOrNot(fc.constantFrom(10, 5, undefined), fc.constantFrom(0, null, -1, NaN, "10", Infinity, -Infinity, true)));
const offsetV = either(validOrNot(fc.constantFrom(0, 1, 4, undefined), fc.constantFrom(8, 62, -2, 1.5, "4", null, 2 ** 53, NaN)));

const optionsOf = (fields: Record<string, fc.Arbitrary<FuzzValue>>): fc.Arbitrary<FuzzValue> => {
  const entries = Object.entries(fields).map(([key, arb]) => fc.option(arb.map((v) => [key, v] as [string, FuzzValue]), { nil: undefined }));
  return either(fc.oneof(
    { weight: 4, arbitrary: fc.tuple(...entries).map((es) => obj(es.filter((e): e is [string, FuzzValue] => e !== undefined))) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 5, "x", []).map(lit) },
  ));
};

const groupRefV = either(fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<FuzzValue>(lit("world"), lit(undefined), { k: "group", name: "world" }) },
  { weight: 2, arbitrary: fc.constantFrom("g1", "g2", "nope", "constructor", "__proto__", null, 5).map(lit) },
  { weight: 1, arbitrary: fc.constantFrom<FuzzValue>({ k: "group", name: "g1" }, { k: "fakeGroup" }) },
));
const signalOptsV = optionsOf({ channel: channelV, timeoutMs: timeoutV });
const tensorV = either(fc.oneof(
  fc.record({ k: fc.constant("reg" as const), n: fc.integer({ min: 0, max: 8 }), dtype: fc.constantFrom("float32", "int32", "uint8", "float16") }),
  fc.record({ k: fc.constant("sym" as const), shape: fc.constantFrom([4], [2, 2], [0], [], [3]), dtype: fc.constantFrom("float32", "int32", "bfloat16") }),
  fc.record({ k: fc.constant("symView" as const), off: fc.constantFrom(0, 16), shape: fc.constantFrom([4], [2]), dtype: fc.constant("float32") }),
  fc.constantFrom<FuzzValue>({ k: "freed" }, { k: "handle", n: 4 }),
));
const collectiveOptsV = optionsOf({
  group: groupRefV,
  op: either(validOrNot(fc.constantFrom("sum", "avg", "max", "min", "prod"), fc.constantFrom("mean", "constructor", null, 5))),
  algo: either(validOrNot(fc.constantFrom("auto", "one_shot", "two_shot", "host"), fc.constantFrom("three_shot", "toString", null))),
  root: either(validOrNot(fc.constantFrom(0, 1), fc.constantFrom(2, -1, null, "0", 1.5))),
  splitLastDim: either(validOrNot(fc.constantFrom(true, false), fc.constantFrom("yes", null, 1))),
});
const OP_NAMES = [
  "symm_mem::one_shot_all_reduce", "symm_mem::one_shot_all_reduce_out", "symm_mem::two_shot_all_reduce_",
  "symm_mem::two_shot_all_reduce_out", "symm_mem::multimem_all_reduce_", "symm_mem::reduce_scatter_out",
  "symm_mem::multimem_all_gather_out", "symm_mem::broadcast", "symm_mem::get_remote_tensors",
  "symm_mem::stream_write_value32_", "symm_mem::memset32_", "webshmem::host_all_reduce_",
  "symm_mem::all_to_all", "symm_mem::all_to_all_vdev", "symm_mem::_make_a2a_exchange_plan", "symm_mem::_all_to_all_get",
  "symm_mem::nope", "nope", "constructor", "__proto__", "symm_mem::constructor", "symm_mem::toString",
];
const opNameV = either(fc.constantFrom(...OP_NAMES).map(lit));

const reg = (n: number, dtype = "float32"): FuzzValue => ({ k: "reg", n, dtype });
/** Well-formed calls of the built-in ops (on 2 ranks), which `mutated` then breaks in one place or none. */
const OP_TEMPLATES: readonly (readonly FuzzValue[])[] = [
  [lit("symm_mem::one_shot_all_reduce"), reg(4), lit("sum"), lit("world")],
  [lit("symm_mem::one_shot_all_reduce_out"), reg(4), lit("max"), lit("world"), reg(4)],
  [lit("symm_mem::two_shot_all_reduce_"), reg(4), lit("sum"), lit("world")],
  [lit("symm_mem::two_shot_all_reduce_out"), { k: "sym", shape: [4], dtype: "float32" }, lit("avg"), lit("world"), reg(4)],
  [lit("symm_mem::broadcast"), reg(4), lit(1), lit("world")],
  [lit("symm_mem::multimem_all_gather_out"), reg(2), lit("world"), reg(4)],
  [lit("symm_mem::reduce_scatter_out"), reg(4), lit("world"), lit(false), reg(2)],
  [lit("webshmem::host_all_reduce_"), reg(4), lit("sum"), lit("world")],
  [lit("symm_mem::memset32_"), reg(4, "uint32"), lit(0), lit(7), lit(2)],
  [lit("symm_mem::stream_write_value32_"), reg(4, "uint32"), lit(1), lit(7)],
  [lit("symm_mem::get_remote_tensors"), { k: "sym", shape: [4], dtype: "float32" }, lit("world")],
  [lit("symm_mem::all_to_all"), reg(4), reg(4), lit("world")],
  [lit("symm_mem::_make_a2a_exchange_plan"), reg(2, "int32"), reg(2, "int32"), reg(2, "int32"), reg(2, "int32"), lit("world")],
];
/** A template with at most one argument replaced by anything (and sometimes one dropped). */
const templateCall = (asMeta: boolean): fc.Arbitrary<FuzzValue[]> =>
  fc.tuple(fc.constantFrom(...OP_TEMPLATES), fc.nat(), fc.oneof(fc.constant(undefined), junk), fc.boolean()).map(([t, i, replacement, drop]) => {
    let args = t.map((v) => (asMeta && (v.k === "reg" || v.k === "sym") ? lit({ shape: v.k === "reg" ? [v.n] : v.shape, dtype: v.dtype }) : v));
    const at = i % args.length;
    if (replacement !== undefined) args[at] = replacement;
    else if (drop && at > 0) args = args.filter((_, j) => j !== at);
    return args;
  });
const opArgV = fc.oneof(
  tensorV, fc.constantFrom("sum", "world", "avg", 0, 1, 4, -1, true).map(lit), junk,
  fc.constant(lit({ shape: [4], dtype: "float32" })),
);
const opArgsV = fc.array(opArgV, { maxLength: 5 });

/** The arguments of each entry. */
const ARGS: Record<Target, fc.Arbitrary<FuzzValue[]>> = {
  "symm.empty": fc.tuple(shapeV, dtypeV, optionsOf({ group: groupRefV, label: either(fc.constantFrom("x", 5, null).map(lit)) })),
  "symm.free": fc.tuple(either(tensorV)),
  "symm.rendezvous": fc.tuple(either(tensorV), groupRefV),
  "symm.newGroup": fc.tuple(
    either(fc.constantFrom([0], [1], [0, 1], [1, 0], [0, 0], [], "01", [2], [-1], [0.5], null, 5, ["0"], [0, 1, 2]).map(lit)),
    optionsOf({ name: either(fc.constantFrom("g1", "g2", "constructor", "__proto__", "", 5, null).map(lit)), timeoutMs: timeoutV }),
  ),
  "symm.group": fc.tuple(groupRefV),
  "symm.allocations": fc.constant([]),
  "symm.snapshot": fc.constant([]),
  "handle.getBuffer": fc.tuple(peerV, shapeV, dtypeV, offsetV),
  "handle.getSignalPad": fc.tuple(peerV),
  "handle.barrier": fc.tuple(signalOptsV),
  "handle.putSignal": fc.tuple(peerV, signalOptsV),
  "handle.waitSignal": fc.tuple(peerV, signalOptsV),
  "tensor.view": fc.tuple(either(fc.constantFrom(0, 4, 8, 2, -4, 1.5, "4", null, 1e9, 60).map(lit)), shapeV, dtypeV),
  "tensor.data": fc.constant([]),
  "rank.tensor": fc.tuple(
    either(fc.constantFrom([1, 2, 3], [], ["a"], [1, null], "abc", [1, 2, 3, 4]).map(lit)),
    optionsOf({ dtype: dtypeV, shape: shapeV }),
  ),
  "rank.zeros": fc.tuple(shapeV, dtypeV),
  "rank.read": fc.tuple(either(tensorV)),
  "rank.call": fc.oneof(templateCall(false), fc.tuple(opNameV, opArgsV).map(([n, a]) => [n, ...a])),
  "rank.ops": fc.oneof(
    fc.tuple(
      either(fc.constantFrom("symm_mem", "webshmem", "nope", "constructor", "__proto__").map(lit)),
      either(fc.constantFrom("one_shot_all_reduce", "two_shot_all_reduce_", "broadcast", "memset32_", "constructor", "toString", "__proto__").map(lit)),
      opArgsV,
    ).map(([ns, n, a]) => [ns, n, ...a]),
    // rank.ops.<ns>.<name>(...) with a template's arguments: "ns::name" split into the two keys.
    templateCall(false).map(([name, ...rest]) => {
      const [ns, op] = name.k === "lit" && typeof name.v === "string" && name.v.includes("::") ? name.v.split("::") : ["symm_mem", "nope"];
      return [lit(ns), lit(op), ...rest];
    }),
  ),
  "rank.meta": fc.oneof(templateCall(true), fc.tuple(opNameV, opArgsV).map(([n, a]) => [n, ...a])),
  "rank.configure": fc.tuple(
    either(fc.constantFrom("webshmem::host_all_reduce_", "symm_mem::one_shot_all_reduce", "nope").map(lit)),
    optionsOf({
      chunkBytes: either(fc.constantFrom(256, 1000, 0, -256, 4096).map(lit)),
      inSlots: either(fc.constantFrom(1, 0, 2.5).map(lit)),
      oneRoundMaxBytes: either(fc.constantFrom(0, 4096, -1, 1.5).map(lit)),
      reduceOnceMaxBytes: either(fc.constantFrom(0, 1 << 20, -1, 2.5).map(lit)),
      bogus: fc.constant(lit(1)),
    }),
  ),
  "rank.onEvent": fc.tuple(either(fc.constant<FuzzValue>({ k: "fn" }))),
  "rank.allReduce": fc.tuple(tensorV, collectiveOptsV),
  "rank.reduceScatter": fc.tuple(tensorV, collectiveOptsV),
  "rank.allGather": fc.tuple(tensorV, collectiveOptsV),
  "rank.broadcast": fc.tuple(tensorV, collectiveOptsV),
  "rank.put": fc.tuple(tensorV, peerV),
  "rank.get": fc.oneof(
    fc.tuple(tensorV, peerV),
    fc.tuple(
      either(fc.oneof(tensorV, fc.record({ k: fc.constant("typed" as const), ctor: fc.constantFrom(...TYPED_NAMES), n: fc.integer({ min: 0, max: 8 }) }))),
      either(fc.constant<FuzzValue>({ k: "handle", n: 16 })), peerV, offsetV,
    ),
  ),
  "rank.putWithSignal": fc.tuple(tensorV, peerV, channelV, optionsOf({ timeoutMs: timeoutV })),
  "rank.waitSignal": fc.tuple(tensorV, peerV, channelV, optionsOf({ timeoutMs: timeoutV })),
};

// ── keeping waits short ──

const isLit = (v: FuzzValue | undefined, p: (x: unknown) => boolean) => v !== undefined && v.k === "lit" && p(v.v);
const validPeer = (v: FuzzValue | undefined) =>
  v !== undefined && (v.k === "self" || v.k === "other" || isLit(v, (x) => x === 0 || x === 1));
const validChannel = (x: unknown) => x === undefined || x === null || (typeof x === "number" && Number.isInteger(x) && x >= 0 && x < CHANNELS);
const badTimeout = (x: unknown) => x !== undefined && (typeof x !== "number" || Number.isNaN(x) || x < 0);

/** An options value's `key`, as the rank will see it (undefined when it has none or is not an object). */
function field(opts: FuzzValue | undefined, key: string): { present: boolean; value: unknown } {
  if (opts?.k === "obj") {
    const e = opts.e.find(([k]) => k === key);
    if (e === undefined) return { present: false, value: undefined };
    const v = e[1];
    // self and other become this rank's or the other rank's number: 0 or 1 here.
    return { present: true, value: v.k === "lit" ? v.v : v.k === "self" || v.k === "other" ? 0 : v };
  }
  if (opts?.k === "lit" && typeof opts.v === "object" && opts.v !== null && !Array.isArray(opts.v)) {
    return Object.hasOwn(opts.v, key) ? { present: true, value: (opts.v as Record<string, unknown>)[key] } : { present: false, value: undefined };
  }
  return { present: false, value: undefined };
}

/** True when `opts` would be rejected as options (not an object, or an array, a function...). */
function rejectedOptions(opts: FuzzValue | undefined): boolean {
  if (opts === undefined) return false;
  if (opts.k === "lit") return opts.v !== undefined && (typeof opts.v !== "object" || opts.v === null || Array.isArray(opts.v));
  return opts.k === "arr" || opts.k === "fn" || opts.k === "bigint" || opts.k === "self" || opts.k === "other";
}

/**
 * A signal call whose peer and channel are valid and whose options would pass may wait for a
 * signal nobody sends: give it a short timeout (keeping a bad timeout, which must be rejected
 * before any pad word is touched).
 */
function shortenWaits(call: FuzzCall): FuzzCall {
  const args = [...call.args];
  const patch = (i: number, peerOk: boolean, channel: unknown, ms: number) => {
    const opts = args[i];
    if (!peerOk || !validChannel(channel) || rejectedOptions(opts)) return;
    const t = field(opts, "timeoutMs");
    if (t.present && badTimeout(t.value)) return;
    const e: [string, FuzzValue][] = [["timeoutMs", lit(ms)]];
    const c = field(opts, "channel");
    if (c.present) e.push(["channel", lit(c.value)]);
    args[i] = obj(e);
  };
  switch (call.target) {
    case "handle.barrier":
      patch(0, true, field(args[0], "channel").value, 500);
      break;
    case "handle.putSignal":
    case "handle.waitSignal":
      patch(1, validPeer(args[0]), field(args[1], "channel").value, 10);
      break;
    case "rank.putWithSignal":
    case "rank.waitSignal":
      if (isLit(args[2], validChannel) && !isLit(args[2], (x) => x === undefined || x === null)) {
        const opts = args[3];
        const t = field(opts, "timeoutMs");
        if (validPeer(args[1]) && !rejectedOptions(opts) && !(t.present && badTimeout(t.value))) args[3] = obj([["timeoutMs", lit(10)]]);
      }
      break;
    case "symm.newGroup": {
      // Both ranks call it, but one may come a few ms late: never a timeout shorter than 1 s.
      const t = field(args[1], "timeoutMs");
      if (t.present && typeof t.value === "number" && t.value > 0 && t.value < 1000 && args[1]?.k === "obj") {
        args[1] = obj([...args[1].e.filter(([k]) => k !== "timeoutMs"), ["timeoutMs", lit(1000)]]);
      }
      break;
    }
    default:
  }
  return { target: call.target, args };
}

const callArb: fc.Arbitrary<FuzzCall> = fc.constantFrom(...(Object.keys(ARGS) as Target[]))
  .chain((target) => ARGS[target].map((args) => shortenWaits({ target, args })));

/** Errors that come from waiting (a peer that did not come), not from checking an argument. */
const WAIT_ERRORS = new Set(["TimeoutError", "PeerLostError", "AgreementError", "GroupBrokenError"]);

/** A call that takes longer than this hangs (every wait in it has a timeout of at most 3 s). */
const HANG_MS = 15_000;

/** `p`, or a rejection naming what hung once `ms` pass. */
async function withinMs<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A generated value as text (undefined, NaN, Infinity and BigInts spelled out). */
function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v === undefined ? "<undefined>" : typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v)
      : typeof v === "function" ? "<function>" : v) ?? String(value);
}

describe(`public API property test (seed ${seed}, ${runs} calls; WEBSHMEM_FUZZ_SEED=${seed} reproduces)`, () => {
  let world: World;
  beforeAll(async () => {
    console.log(`public-api property test: seed ${seed}, ${runs} calls (WEBSHMEM_FUZZ_SEED=${seed} to reproduce)`);
    world = await launch({ worldSize: WORLD, heapBytes: 1 << 16, backend: "cpu", rankModule, timeoutMs: 3000, signalChannels: CHANNELS });
  });
  afterAll(() => world?.close());

  it("only WebshmemErrors escape, rejected calls leave nothing behind, and the world still all-reduces", async () => {
    const stats = { calls: 0, ok: 0, rejected: 0, waits: 0 };
    /** Per entry: [calls that succeeded on every rank, calls that did not]. */
    const byTarget: Record<string, [number, number]> = {};
    await fc.assert(
      fc.asyncProperty(callArb, async (call) => {
        stats.calls++;
        const outcomes = await withinMs(world.run<FuzzOutcome>("fuzzCall", call), HANG_MS, () => `${show(call)} did not settle`);
        for (const [r, o] of outcomes.entries()) {
          if (!o.ok && !o.isWebshmemError) {
            throw new Error(`rank ${r}: ${show(call)} escaped as ${o.errorName}: ${o.message}`);
          }
          if (o.liveAfter !== 0) throw new Error(`rank ${r}: ${show(call)} left ${o.liveAfter} allocations behind`);
        }
        const counts = (byTarget[call.target] ??= [0, 0]);
        counts[outcomes.every((o) => o.ok) ? 0 : 1]++;
        if (outcomes.every((o) => o.ok)) stats.ok++;
        else if (outcomes.some((o) => WAIT_ERRORS.has(o.errorName))) stats.waits++;
        else stats.rejected++;
        const raised = world.signalPads().words.some((w) => w !== 0);
        if (raised) {
          const rejectedOnArguments = outcomes.every((o) => !o.ok && !WAIT_ERRORS.has(o.errorName));
          if (rejectedOnArguments) {
            throw new Error(`${show(call)} was rejected on every rank (${outcomes.map((o) => o.errorName).join(", ")}) ` +
              `but left a signal in a pad: ${Array.from(world.signalPads().words).join(",")}`);
          }
          await world.run("clearPads");
        }
      }),
      { seed, numRuns: runs, endOnFailure: true },
    );
    console.log(`public-api property test: ${JSON.stringify(stats)}; per entry [ok, rejected]: ${JSON.stringify(byTarget)}`);
    expect(stats.calls).toBeGreaterThanOrEqual(runs);
    // The world is still usable: a verified all-reduce (one-shot from regular tensors, two-shot in the heap).
    for (const r of await world.run<{ ok: boolean; detail: string }>("verifiedAllReduce", 1000)) expect(r).toEqual({ ok: true, detail: "1000 elements summed over 2 ranks" });
    expect(Array.from(world.signalPads().words).every((w) => w === 0)).toBe(true);
  }, 120_000);

  it("padWord on the main thread: only WebshmemErrors", async () => {
    const [snap] = await world.run<{ groups: PadGroupInfo[] }>("snapshotOf");
    const info = snap.groups[0];
    const arg = junkLiteral;
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(info), fc.constant({ ...info, size: -1 }), fc.constant({ ...info, size: "2" }), junkLiteral),
        fc.oneof(fc.integer({ min: -1, max: 3 }), arg), fc.oneof(fc.integer({ min: -1, max: 40 }), arg), fc.oneof(fc.integer({ min: -1, max: 3 }), arg),
        (group, dst, channel, src) => {
          try {
            const w = padWord(group as PadGroupInfo, dst as number, channel as number, src as number);
            expect(Number.isInteger(w) && w >= 0).toBe(true);
          } catch (err) {
            if (!(err instanceof WebshmemError)) throw new Error(`padWord(${show([group, dst, channel, src])}) threw ${String(err)}`);
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe("launch options (main thread)", () => {
  it("bad options of every kind are LaunchErrors (or a world that closes)", async () => {
    const good = { worldSize: 2, heapBytes: 4096, backend: "cpu", rankModule: String(rankModule) };
    const bad = {
      worldSize: fc.constantFrom(0, 17, 2.5, -1, NaN, "2", null, Infinity, 2 ** 53),
      heapBytes: fc.constantFrom(100, 2 ** 31, -1, NaN, "4096", null, 1.5),
      backend: fc.constantFrom("cuda", "", "constructor", "__proto__", "toString", 5, null),
      rankModule: fc.constantFrom("", 5, null, "not a url at all", "data:text/javascript,export%20const%20x=1"),
      rankWorker: fc.constantFrom(String(rankModule), 5, ""),
      timeoutMs: fc.constantFrom(-1, NaN, "10", 1.5, 2 ** 31, null, true),
      signalChannels: fc.constantFrom(0, 1025, -1, 1.5, "4", null),
    };
    const options = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 5, "cpu", [], () => {}, Object.create(null)) },
      {
        weight: 6,
        // A subset of the fields bad (an empty subset: a good world, launched and closed).
        arbitrary: fc.record(bad as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] }).map((o) => ({ ...good, ...o })),
      },
    );
    let launched = 0;
    await fc.assert(
      fc.asyncProperty(options, async (opts) => {
        try {
          const w = await launch(opts as never);
          launched++;
          await w.close();
        } catch (err) {
          if (!(err instanceof WebshmemError)) throw new Error(`launch(${show(opts)}) threw ${String(err)}`);
        }
      }),
      { seed, numRuns: 60 },
    );
    console.log(`launch options: ${launched} of 60 generated options launched a world (and closed it)`);
  }, 120_000);
});
