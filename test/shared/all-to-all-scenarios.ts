/**
 * The all-to-all correctness matrix and error cases (issue 11), runtime-neutral: Vitest on Node
 * (cpu, every case: test/collectives/all-to-all*.test.ts), Deno (deno/tests/all_to_all_test.ts)
 * and Chromium (e2e/all-to-all.spec.ts) on webgpu with a few samples. One world per world size
 * runs batches of cases (test/fixtures/all-to-all-ranks.ts); every rank's out arena (guards and
 * the unused tail included) and splits outputs are compared here with the oracle
 * (all-to-all-oracle.ts); an error case must fail on every rank with the same OpError.
 *
 *   await a2aScenarios["samples"]({ backend: "webgpu", worldSize: 3 })
 */
import { launch, type BackendName } from "../../src/index.ts";
import type { A2aCase, A2aDType, A2aOp, A2aResult } from "../fixtures/all-to-all-ranks.ts";
import { expected } from "./all-to-all-oracle.ts";
import { check } from "./check.ts";
import { rankSource } from "./rank-source.ts";

/** A case, and for an error case the message every rank must throw (a regular expression's source). */
export type ScenarioCase = A2aCase & { readonly expectError?: string };

export const A2A_OPS: readonly A2aOp[] = ["vdev", "2d", "2d_offset", "plan", "plain", "roundtrip"];
export const A2A_DTYPES: readonly A2aDType[] = ["float32", "float16", "bfloat16", "int32"];
export const A2A_WIDTHS: readonly number[] = [0, 1, 3, 8];
/** major_align values: not passed, None, and numbers. */
export const A2A_ALIGNS: readonly (number | null | undefined)[] = [undefined, null, 1, 3, 8, 16];
export const A2A_PATTERNS = ["zero", "uneven", "one peer"] as const;
export type SplitPattern = (typeof A2A_PATTERNS)[number];
export const A2A_WORLDS: readonly number[] = [1, 2, 3, 5, 8, 16];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

/** Splits of `n` entries per rank: all zero, random in [0, 5), or everything (3 rows a split) to entry `target`. */
function splitsOf(pattern: SplitPattern, world: number, n: number, seed: number, target: number): number[][] {
  const rand = rng(seed);
  return Array.from({ length: world }, () => Array.from({ length: n }, (_, i) => {
    if (pattern === "zero") return 0;
    if (pattern === "one peer") return i === target ? 3 + Math.floor(rand() * 3) : 0;
    return Math.floor(rand() * 5);
  }));
}

/** Most rows any rank receives: rank r gets, from every rank p, the splits whose destination `dest(i)` is r. */
function maxReceived(splits: readonly (readonly number[])[], dest: (i: number) => number): number {
  const world = splits.length;
  return Math.max(0, ...Array.from({ length: world }, (_, r) => sum(splits.map((s) => sum(s.filter((_, i) => dest(i) === r))))));
}

/** One case of the matrix (sized so nothing overflows: out gets a few spare rows, the unused tail). */
export function buildCase(
  op: A2aOp, world: number, dtype: A2aDType, width: number, pattern: SplitPattern,
  placement: A2aCase["placement"], align: number | null | undefined, seed: number,
): ScenarioCase {
  const rand = rng(seed ^ 0x5bd1e995);
  const ne = 1 + (seed % 3); // experts per rank: 1, 2 or 3
  const base = { op, dtype, width, placement, seed };
  const spare = 3;
  switch (op) {
    case "vdev":
    case "plan": {
      const splits = splitsOf(pattern, world, world, seed, seed % world);
      const inRows = Math.max(...splits.map(sum)) + spare;
      const outRows = maxReceived(splits, (i) => i) + spare;
      return { ...base, splits, inRows, outRows };
    }
    case "2d":
    case "roundtrip": {
      const n = world * ne;
      const splits = splitsOf(pattern, world, n, seed, seed % n);
      const a = align ?? 1;
      const inRows = Math.max(...splits.map(sum)) + spare;
      // Each expert block is rounded up to a multiple of `a`, an empty one still `a` rows: at most `a` more each.
      const outRows = maxReceived(splits, (i) => Math.floor(i / ne)) + ne * a + spare;
      return { ...base, splits, inRows, outRows, align };
    }
    case "2d_offset": {
      const n = world * ne;
      const splits = splitsOf(pattern, world, n, seed, seed % n);
      // Offsets with padding between the chunks (0 to 2 rows), in order; padding is never sent.
      const offsets = splits.map((s) => {
        let at = Math.floor(rand() * 3);
        return s.map((v) => {
          const o = at;
          at += v + Math.floor(rand() * 3);
          return o;
        });
      });
      const inRows = Math.max(...offsets.map((o, p) => (o.length ? o[o.length - 1] + splits[p][o.length - 1] : 0))) + spare;
      const outRows = maxReceived(splits, (i) => i % world) + spare;
      return { ...base, splits, offsets, inRows, outRows };
    }
    case "plain": {
      const slot = pattern === "zero" ? 0 : 1 + (seed % 3);
      return { ...base, splits: splitsOf("zero", world, 0, seed, 0), inRows: slot * world, outRows: slot * world };
    }
  }
}

/** The full matrix for one world size: op × split pattern × placement × dtype, widths and aligns taken in turn. */
export function matrixCases(world: number): ScenarioCase[] {
  const out: ScenarioCase[] = [];
  let k = 0;
  for (const op of A2A_OPS) {
    for (const pattern of A2A_PATTERNS) {
      for (const placement of ["symmetric", "regular"] as const) {
        for (const dtype of A2A_DTYPES) {
          const width = A2A_WIDTHS[k % A2A_WIDTHS.length];
          const align = op === "2d" || op === "roundtrip" ? A2A_ALIGNS[k % A2A_ALIGNS.length] : undefined;
          out.push(buildCase(op, world, dtype, width, pattern, placement, align, 1000 * world + k));
          k++;
        }
      }
    }
  }
  return out;
}

/** Every major_align on every 2-d op, for one world size (the matrix takes them in turn). */
export function alignCases(world: number): ScenarioCase[] {
  const out: ScenarioCase[] = [];
  let k = 0;
  for (const op of ["2d", "roundtrip"] as const) {
    for (const align of A2A_ALIGNS) {
      for (const pattern of A2A_PATTERNS) {
        out.push(buildCase(op, world, "float32", 3, pattern, k % 2 ? "regular" : "symmetric", align, 7000 + 100 * world + k));
        k++;
      }
    }
  }
  return out;
}

/** First difference of two arrays, or undefined. */
function firstDiff(got: readonly number[], want: readonly number[]): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return `index ${i}: ${got[i]}, expected ${want[i]}`;
  return undefined;
}

export function describeA2a(c: A2aCase): string {
  const align = c.align === undefined ? "" : ` align ${c.align}`;
  return `${c.op} ${c.dtype} width ${c.width} ${c.placement}${align} world ${c.splits.length} splits ${JSON.stringify(c.splits)}`;
}

/** The failures of one batch: per case, per rank. */
export function verifyBatch(cases: readonly ScenarioCase[], perRank: readonly A2aResult[][]): string[] {
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const what = describeA2a(c);
    const results = perRank.map((r) => r[i]);
    if (c.expectError !== undefined) {
      const re = new RegExp(c.expectError);
      results.forEach((g, r) => {
        if (g.error?.name !== "OpError" || !re.test(g.error.message)) {
          failures.push(`${what}: rank ${r}: expected OpError /${c.expectError}/, got ${g.error ? `${g.error.name}: ${g.error.message}` : "success"}`);
        }
        if (g.error?.message !== results[0].error?.message) failures.push(`${what}: rank ${r}'s message differs from rank 0's`);
        if (c.thenPlain && g.plainOk !== true) failures.push(`${what}: rank ${r}: the group did not work after the error`);
        if (!g.inputIntact) failures.push(`${what}: rank ${r}: an input changed`);
      });
      return;
    }
    results.forEach((g, r) => {
      if (g.error !== undefined) return void failures.push(`${what}: rank ${r}: ${g.error.name}: ${g.error.message}`);
      const e = expected(c, r);
      const d1 = firstDiff(g.out, e.out);
      if (d1) failures.push(`${what}: rank ${r}: out arena ${d1}`);
      const d2 = firstDiff(g.splits, e.splits);
      if (d2) failures.push(`${what}: rank ${r}: splits ${d2}`);
      if (!g.inputIntact) failures.push(`${what}: rank ${r}: an input changed`);
    });
  });
  return failures;
}

export interface A2aRunOptions {
  readonly backend: BackendName;
  readonly worldSize: number;
  readonly cases: readonly ScenarioCase[];
  /** Cases per run (a run's heap is reset after it). Default 24. */
  readonly batch?: number;
  readonly timeoutMs?: number;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../fixtures/all-to-all-ranks.ts", import.meta.url);

/** Runs the cases in one world; resolves to the failures (empty: all passed). */
export async function runA2aCases(o: A2aRunOptions): Promise<string[]> {
  const w = await launch({
    worldSize: o.worldSize, heapBytes: 1 << 24, backend: o.backend, ...rankSource("all-to-all-ranks", rankModule),
    timeoutMs: o.timeoutMs ?? 30_000,
  });
  const failures: string[] = [];
  try {
    const size = o.batch ?? 24;
    for (let i = 0; i < o.cases.length; i += size) {
      const batch = o.cases.slice(i, i + size);
      const perRank = await w.run<A2aResult[]>("runA2aBatch", batch);
      failures.push(...verifyBatch(batch, perRank));
    }
  } finally {
    await w.close();
  }
  return failures;
}

/** Error cases for one world size (≥ 2): each must fail on every rank with the message, then the group works. */
export function errorCases(world: number): ScenarioCase[] {
  const last = world - 1;
  const even = (n: number, v = 1) => Array.from({ length: world }, () => new Array(n).fill(v));
  const base = { dtype: "float32" as const, width: 2, placement: "symmetric" as const, seed: 99, thenPlain: true };
  const start1 = Math.max(Math.ceil(world / 8) * 8, 8);
  return [
    {
      // Every rank sends 2 rows to the last rank, whose out holds fewer than 2 × world.
      ...base, op: "vdev", splits: even(world, 2), inRows: 2 * world, outRows: 2 * world - 1,
      expectError: `all_to_all_vdev: rank 0 would receive 2 rows from rank ${last} at rows \\[${2 * last}, ${2 * world}\\) of its out, but out has ${2 * world - 1} rows`,
    },
    {
      ...base, op: "vdev", placement: "regular", splits: even(world).map((s, p) => (p === last ? s.map((v, i) => (i === 0 ? -1 : v)) : s)),
      inRows: world, outRows: 2 * world, expectError: `rank ${last}'s in_splits\\[0\\] is -1: expected a split ≥ 0`,
    },
    {
      ...base, op: "vdev", splits: even(world, 3), inRows: 3 * world - 1, outRows: 4 * world,
      expectError: `rank 0's in_splits add up to ${3 * world} rows, but its input has ${3 * world - 1} rows`,
    },
    {
      ...base, op: "vdev", splitsDType: "float32", splits: even(world), inRows: world, outRows: world,
      expectError: `argument "in_splits" expected dtype int32 \\(splits and offsets\\), found float32`,
    },
    {
      ...base, op: "vdev", splits: even(world + 1), inRows: world + 1, outRows: 2 * world,
      expectError: `argument "in_splits" expected ${world} elements`,
    },
    {
      // 2-d with major_align 8, 2 experts: expert 1's block starts at `start1`; out is one row short for it.
      ...base, op: "2d", align: 8, splits: even(2 * world, 1), inRows: 2 * world, outRows: start1 + world - 1,
      expectError: `all_to_all_vdev_2d: rank 0 would receive 1 rows from rank ${last} at rows \\[${start1 + last}, ${start1 + world}\\) of its out, but out has ${start1 + world - 1} rows`,
    },
    {
      ...base, op: "2d", splits: even(2 * world + 1), inRows: 2 * world + 1, outRows: 4 * world,
      expectError: `has ${2 * world + 1} splits, which is not divisible by the group size ${world}`,
    },
    {
      ...base, op: "2d_offset", splits: even(world), offsets: even(world).map((o, p) => o.map((_, i) => (p === last && i === 0 ? -2 : 2 * i))),
      inRows: 2 * world, outRows: 2 * world, expectError: `rank ${last}'s in_splits_offsets column 0 sends rows \\[-2, -1\\) of its input`,
    },
    {
      ...base, op: "2d_offset", placement: "regular", splits: even(world), offsets: even(world).map((o) => o.map((_, i) => i + 1)),
      inRows: world, outRows: 2 * world, expectError: `in_splits_offsets column ${world - 1} sends rows \\[${world}, ${world + 1}\\) of its input, but input has ${world} rows`,
    },
    {
      ...base, op: "plan", splits: even(world, 2), inRows: 2 * world, outRows: 2 * world - 1,
      expectError: `_all_to_all_get: rank 0 would receive 2 rows from rank ${last} at rows \\[${2 * last}, ${2 * world}\\) of its out \\(dst_offsets\\[${last}\\]\\), but out has ${2 * world - 1} rows`,
    },
    {
      ...base, op: "plan", bStart: true, splits: even(world), inRows: world, outRows: world,
      expectError: `argument "b_start" expected None`,
    },
    {
      ...base, op: "plain", width: 0, splits: even(0), inRows: world + 1, outRows: world + 1,
      expectError: `argument "input" has ${world + 1} elements, which is not divisible by the group size ${world}`,
    },
  ];
}

export interface A2aScenarioOptions {
  backend: BackendName;
  worldSize: number;
}

/** A few samples of each op, then every error case: what Deno and Chromium run on webgpu. */
export const a2aScenarios: Record<string, (o: A2aScenarioOptions) => Promise<string>> = {
  async "all-to-all samples: every op, uneven and zero splits, canaries"(o) {
    const all = matrixCases(o.worldSize);
    // One case per op, alternating placements, patterns and dtypes (f16 only in symmetric tensors: no shader needed).
    const picked = A2A_OPS.map((op, i) => all.filter((c) => c.op === op)[(i * 7) % 24])
      .map((c) => (c.dtype === "float16" && c.placement === "regular" ? { ...c, dtype: "bfloat16" as const } : c));
    // Regular tensors whose rows and sizes are not whole 4-byte words (the GPU writes words).
    picked.push(buildCase("plan", o.worldSize, "bfloat16", 3, "uneven", "regular", undefined, 4242));
    picked.push(buildCase("2d", o.worldSize, "bfloat16", 1, "uneven", "regular", 3, 4243));
    picked.push(buildCase("roundtrip", o.worldSize, "float16", 3, "one peer", "symmetric", 8, 4244));
    const failures = await runA2aCases({ ...o, cases: picked });
    check(failures.length === 0, failures.slice(0, 5).join("\n"));
    return `${picked.length} cases verified: ${picked.map((c) => `${c.op}/${c.dtype}/${c.placement}`).join(", ")}`;
  },

  async "all-to-all errors: the same OpError on every rank, the group usable after"(o) {
    const cases = errorCases(o.worldSize).filter((_, i) => i % 3 === 0);
    const failures = await runA2aCases({ ...o, cases });
    check(failures.length === 0, failures.slice(0, 5).join("\n"));
    return `${cases.length} error cases verified`;
  },
};
