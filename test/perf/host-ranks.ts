/**
 * Rank functions for the tests of `webshmem::host_all_reduce_` (Node/cpu in
 * test/perf/host-all-reduce.test.ts, Deno/webgpu in deno/tests/host_test.ts). Every rank makes
 * every rank's input from (seed, rank, index), so it computes the expected result itself with the
 * oracle and sends back only a summary: mismatches against the oracle (bit-exact) and a hash of
 * its result, which must be the same on every rank.
 */
import {
  type CollectiveDType, type HostAllReduceTrace, type HostAllReduceTuning, itemsize, type Rank, type ReduceOp, referenceReduce, SymmetricTensor, type Tensor,
} from "../../src/internal.ts";
import { element, fnv1a } from "../fixtures/collective-ranks.ts";

export type Placement = "regular" | "symmetric" | "foreign";

export interface HostCase {
  readonly dtype: CollectiveDType;
  readonly op: ReduceOp;
  readonly count: number;
  /** regular: a tensor of the rank's backend; symmetric: a view 16 elements into a world heap tensor;
   *  foreign: a heap tensor of another group (staged like a regular one). */
  readonly placement: Placement;
  readonly seed: number;
  /** Pipeline tuning for this case (the same on every rank); default: the built-in one. */
  readonly tuning?: Partial<HostAllReduceTuning>;
}

export interface HostSummary {
  readonly mismatches: number;
  readonly hash: string;
  readonly sameObject: boolean;
  readonly detail?: string;
}

function typed(dtype: CollectiveDType, n: number): Float32Array | Int32Array | Uint16Array {
  if (dtype === "float32") return new Float32Array(n);
  if (dtype === "int32") return new Int32Array(n);
  return new Uint16Array(n);
}

function inputOf(c: HostCase, rank: number): Float32Array | Int32Array | Uint16Array {
  const out = typed(c.dtype, c.count);
  for (let i = 0; i < c.count; i++) out[i] = element(c.dtype, c.seed, rank, i);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

let subgroup: Promise<unknown> | undefined;

async function tensorFor(rank: Rank, c: HostCase, data: ReturnType<typeof inputOf>): Promise<{ t: Tensor; free: () => void }> {
  if (c.placement === "regular") {
    const t = rank.tensor(data, { dtype: c.dtype });
    return { t, free: () => {} };
  }
  const group = c.placement === "foreign" ? "host_test_all" : "world";
  if (c.placement === "foreign") {
    // Collective over the world, once per world: the same ranks, but not the op's group.
    subgroup ??= rank.symm.newGroup(Array.from({ length: rank.worldSize }, (_, r) => r), { name: "host_test_all" });
    await subgroup;
  }
  const offset = c.placement === "symmetric" ? 16 : 0;
  const arena = rank.symm.empty([c.count + offset + 16], c.dtype, { group });
  const t = arena.view(offset * itemsize(c.dtype), [c.count], c.dtype);
  (t.data as typeof data).set(data);
  return { t, free: () => rank.symm.free(arena) };
}

/** Runs the cases in order; every rank returns one summary per case. */
export async function runHostCases(rank: Rank, cases: readonly HostCase[]): Promise<HostSummary[]> {
  const out: HostSummary[] = [];
  for (const c of cases) {
    if (c.tuning !== undefined) rank.configure("webshmem::host_all_reduce_", c.tuning);
    try {
      const inputs = Array.from({ length: rank.worldSize }, (_, r) => inputOf(c, r));
      const want = typed(c.dtype, c.count);
      want.set(referenceReduce(c.dtype, c.op, inputs));
      const { t, free } = await tensorFor(rank, c, inputs[rank.rank]);
      const result = await rank.call("webshmem::host_all_reduce_", t, c.op, "world");
      const got = t instanceof SymmetricTensor ? t.data.slice() : await rank.read(t);
      free();
      const a = bytesOf(got);
      const b = bytesOf(want);
      let mismatches = a.length === b.length ? 0 : Math.max(a.length, b.length);
      let detail: string | undefined;
      const size = itemsize(c.dtype);
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) {
          mismatches++;
          const e = Math.floor(i / size);
          detail ??= `element ${e}: got ${got[e]}, want ${want[e]}`;
        }
      }
      out.push({ mismatches, hash: fnv1a(a), sameObject: result === t, detail });
    } finally {
      if (c.tuning !== undefined) rank.configure("webshmem::host_all_reduce_", undefined);
    }
  }
  return out;
}

/**
 * Rank 1 passes a tensor one element longer (or of another dtype): every rank must get a clear
 * error, under `tuning` when given (a path of the op's choice).
 */
export async function disagree(rank: Rank, what: "count" | "dtype", tuning?: Record<string, number>): Promise<string> {
  const dtype = what === "dtype" && rank.rank === 1 ? "int32" : "float32";
  const n = what === "count" && rank.rank === 1 ? 9 : 8;
  const t = rank.tensor(new Array(n).fill(1), { dtype });
  if (tuning !== undefined) rank.configure("webshmem::host_all_reduce_", tuning);
  try {
    await rank.call("webshmem::host_all_reduce_", t, "sum", "world");
    return "no error";
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  } finally {
    if (tuning !== undefined) rank.configure("webshmem::host_all_reduce_", undefined);
  }
}

/**
 * Alternating sizes through one path, `rounds` times (`tuning` picks it): a fast rank's next call
 * must never overwrite what a slower peer still reads (in-regions, the reduce-once out-region,
 * the headers of the previous call). Returns the wrong elements over all rounds.
 */
export async function alternatingSizes(rank: Rank, rounds: number, tuning: Record<string, number>): Promise<{ mismatches: number; detail?: string }> {
  const op = "webshmem::host_all_reduce_";
  rank.configure(op, tuning);
  let mismatches = 0;
  let detail: string | undefined;
  try {
    const cases: HostCase[] = [
      { dtype: "bfloat16", op: "sum", count: (1 << 16) + 3, placement: "regular", seed: 11 },
      { dtype: "bfloat16", op: "sum", count: 5, placement: "regular", seed: 12 },
      { dtype: "bfloat16", op: "max", count: 8197, placement: "regular", seed: 13 },
    ];
    const wants = cases.map((c) => {
      const w = new Uint16Array(c.count);
      w.set(referenceReduce(c.dtype, c.op, Array.from({ length: rank.worldSize }, (_, r) => inputOf(c, r))));
      return w;
    });
    const inputs = cases.map((c) => inputOf(c, rank.rank));
    for (let round = 0; round < rounds; round++) {
      const tensors = cases.map((_, i) => rank.tensor(inputs[i], { dtype: "bfloat16" }));
      for (const [i, t] of tensors.entries()) await rank.call(op, t, cases[i].op, "world");
      for (const [i, t] of tensors.entries()) {
        const got = (await rank.read(t)) as Uint16Array;
        for (let e = 0; e < got.length; e++) {
          if (got[e] !== wants[i][e]) {
            mismatches++;
            detail ??= `round ${round}, call ${i} (${cases[i].count} elements), element ${e}: got ${got[e]}, want ${wants[i][e]}`;
          }
        }
      }
    }
  } finally {
    rank.configure(op, undefined);
  }
  return { mismatches, detail };
}

/** Argument errors, thrown before any synchronisation. */
export async function badArguments(rank: Rank): Promise<string[]> {
  const f = rank.tensor([1, 2, 3], { dtype: "float32" });
  const i = rank.tensor([1, 2, 3], { dtype: "int32" });
  const u = rank.tensor([1, 2, 3], { dtype: "uint8" });
  const errs: string[] = [];
  for (const args of [[f, "mean", "world"], [i, "avg", "world"], [u, "sum", "world"], [f, "sum", "no_such_group"]]) {
    try {
      await rank.call("webshmem::host_all_reduce_", ...args);
      errs.push("no error");
    } catch (e) {
      errs.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  return errs;
}

/** Mean µs per call of `iters` back-to-back host all-reduces of `count` float32 (cpu, heap or regular). */
export async function timeHost(rank: Rank, count: number, placement: "regular" | "symmetric", iters: number): Promise<number> {
  const data = new Float32Array(count).fill(1);
  const { t, free } = await tensorFor(rank, { dtype: "float32", op: "sum", count, placement, seed: 1 }, data);
  for (let i = 0; i < 10; i++) await rank.call("webshmem::host_all_reduce_", t, "sum", "world");
  await rank.symm.world.pads.barrier();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) await rank.call("webshmem::host_all_reduce_", t, "sum", "world");
  const us = ((performance.now() - t0) * 1000) / iters;
  free();
  return us;
}

/**
 * Settings, events and workspace accounting: a pipelined call emits one "trace" event with a
 * time per chunk; the op's workspace is a dispatcher allocation (rank.stats) made once and
 * reused; a bad setting is refused by name; a tuning that differs on one rank is named.
 */
export async function settingsAndEvents(rank: Rank): Promise<{
  chunks: number; events: number; allocFirst: number; allocAgain: number; correct: boolean;
  badSetting: string; unknownOp: string; mismatch: string;
}> {
  const op = "webshmem::host_all_reduce_";
  const count = 96 * 1024; // 384 KiB of float32: past the staged-whole limit, so pipelined
  rank.configure(op, { chunkBytes: 64 * 1024, inSlots: 2, outSlots: 2 });
  const traces: HostAllReduceTrace[] = [];
  const off = rank.onEvent((e) => {
    if (e.op === op && e.kind === "trace") traces.push(e.data as HostAllReduceTrace);
  });
  const t = rank.tensor(new Float32Array(count).fill(rank.rank + 1));
  // A group of its own, so its workspace is new whatever ran before on this world.
  const group = (await rank.symm.newGroup(Array.from({ length: rank.worldSize }, (_, r) => r))).name;
  const a0 = rank.stats.workspaceAllocations;
  await rank.call(op, t, "sum", group);
  const allocFirst = rank.stats.workspaceAllocations - a0;
  await rank.call(op, t, "sum", group);
  const allocAgain = rank.stats.workspaceAllocations - a0 - allocFirst;
  off();
  const want = (rank.worldSize * (rank.worldSize + 1)) / 2 * rank.worldSize;
  const got = (await rank.read(t)) as Float32Array;
  const correct = got.every((v) => v === want);
  const message = (f: () => unknown): string => {
    try {
      f();
      return "no error";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const badSetting = await (async () => {
    rank.configure(op, { chunkBytes: 1000 });
    try {
      await rank.call(op, t, "sum", group);
      return "no error";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  })();
  const unknownOp = message(() => rank.configure("webshmem::no_such_op", {}));
  rank.configure(op, rank.rank === 1 ? { chunkBytes: 32 * 1024, inSlots: 2, outSlots: 2 } : { chunkBytes: 64 * 1024, inSlots: 2, outSlots: 2 });
  let mismatch = "no error";
  try {
    await rank.call(op, t, "sum", group);
  } catch (e) {
    mismatch = `${(e as Error).name}: ${(e as Error).message}`;
  }
  rank.configure(op, undefined);
  return { chunks: traces[0]?.staged.length ?? 0, events: traces.length, allocFirst, allocAgain, correct, badSetting, unknownOp, mismatch };
}

/**
 * A pipelined call straight followed by a staged-whole one, `rounds` times, through the same
 * workspace: the staged call copies its input into its in-region before its barrier, where the
 * pipeline's out-slots were, while a slower peer may still be copying the last chunk's slice out
 * of them. Returns the wrong elements seen over all rounds (0 when the two never share bytes).
 */
export async function pipelinedThenStaged(rank: Rank, rounds: number): Promise<{ mismatches: number; detail?: string }> {
  const op = "webshmem::host_all_reduce_";
  rank.configure(op, { chunkBytes: 4096, inSlots: 3, outSlots: 2 });
  let mismatches = 0;
  let detail: string | undefined;
  try {
    const big: HostCase = { dtype: "bfloat16", op: "sum", count: (1 << 17) + 3, placement: "regular", seed: 7 };
    const small: HostCase = { dtype: "bfloat16", op: "sum", count: 8197, placement: "regular", seed: 8 };
    const wants = [big, small].map((c) => {
      const w = new Uint16Array(c.count);
      w.set(referenceReduce(c.dtype, c.op, Array.from({ length: rank.worldSize }, (_, r) => inputOf(c, r))));
      return w;
    });
    const inputs = [big, small].map((c) => inputOf(c, rank.rank));
    for (let round = 0; round < rounds; round++) {
      const tensors = [0, 1].map((i) => rank.tensor(inputs[i], { dtype: "bfloat16" }));
      for (const t of tensors) await rank.call(op, t, "sum", "world");
      for (const [i, t] of tensors.entries()) {
        const got = (await rank.read(t)) as Uint16Array;
        for (let e = 0; e < got.length; e++) {
          if (got[e] !== wants[i][e]) {
            mismatches++;
            detail ??= `round ${round}, ${i === 0 ? "pipelined" : "staged"} call, element ${e}: got ${got[e]}, want ${wants[i][e]}`;
          }
        }
      }
    }
  } finally {
    rank.configure(op, undefined);
  }
  return { mismatches, detail };
}
