/**
 * The collectives' correctness matrix, runtime-neutral (Vitest on Node, Deno tests, Chromium
 * pages): op × dtype × reduce op × world size × element count × placement (a view 0 or 16
 * elements into a symmetric arena, or a regular tensor the dispatcher realizes). One world per
 * world size runs batches of cases through `runCases` in test/fixtures/collective-ranks.ts; every
 * rank checks its own result against the oracle and the guard bytes, and here every rank's result
 * hash must agree. The small counts run in full (or a deterministic sample: `smallFraction`), the
 * large ones are sampled (`largeCases`), so slower runtimes can pick a smaller budget.
 *
 *   await runCollectiveMatrix({ backend: "webgpu", smallFraction: 0.05, largeCases: 1 })
 */
import {
  COLLECTIVE_DTYPES, launch, REDUCE_OPS, type BackendName, type CollectiveDType, type ReduceOp,
} from "../../src/index.ts";
import {
  caseArenaBytes, caseRegularBytes, describeCase, MATRIX_OPS, mix, type Batch, type CaseSpec, type CaseSummary,
  type MatrixOp,
} from "../fixtures/collective-ranks.ts";
import { rankSource } from "./rank-source.ts";

export { SAMPLE_WINDOWS } from "./sample-windows.ts";

export const MATRIX_WORLD_SIZES: readonly number[] = [2, 3, 4, 8];
export const SMALL_COUNTS: readonly number[] = [0, 1, 4, 8192, 8196];
export const LARGE_COUNTS: readonly number[] = [(1 << 20) + 3];
/** Offsets (elements) of a symmetric view into its slot; not 256-byte aligned on purpose. */
export const OFFSETS: readonly number[] = [0, 16];

export interface MatrixOptions {
  readonly backend: BackendName;
  /** Default MATRIX_WORLD_SIZES. */
  readonly worldSizes?: readonly number[];
  /** Default all four; leave out float16 where the device has no shader-f16. */
  readonly dtypes?: readonly CollectiveDType[];
  /** Default every op of MATRIX_OPS. */
  readonly ops?: readonly MatrixOp[];
  /** Share of the small-count matrix to run, chosen deterministically. Default 1 (all of it). */
  readonly smallFraction?: number;
  /**
   * Where the sample starts, in [0, 1): a case runs when its hash, as a fraction of 2³², lies in
   * [sampleFrom, sampleFrom + smallFraction) (wrapping at 1); the large cases are taken in hash
   * order from the same point. Default 0. Runtimes that share a driver stack take disjoint windows
   * (SAMPLE_WINDOWS), so together they cover more of the matrix than any one of them runs.
   */
  readonly sampleFrom?: number;
  /** How many large-count cases to run, over all world sizes (distinct ops first). Default 4. */
  readonly largeCases?: number;
  /** Largest per-rank arena a large case may need; bigger ones are never sampled. Default 24 MiB. */
  readonly largeMaxBytes?: number;
  /** Bitwise comparison with the oracle. Default: true on the cpu backend, else a dtype tolerance. */
  readonly exact?: boolean;
  /** Signal timeout of the matrix worlds. Default 120 s (large cases verify for seconds). */
  readonly timeoutMs?: number;
  /** Progress lines (one per world). */
  readonly log?: (line: string) => void;
}

export interface MatrixReport {
  readonly cases: number;
  readonly failures: readonly string[];
  readonly elapsedMs: number;
  readonly summary: string;
}

const MAX_BATCH_CASES = 200;
/** Elements generated and verified per batch, about (keeps each run short and its memory small). */
const MAX_BATCH_WORK = 1 << 22;

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h >>> 0, 0, 0);
}

const PLACEMENTS: readonly { placement: CaseSpec["placement"]; offset: number }[] = [
  ...OFFSETS.map((offset) => ({ placement: "symmetric" as const, offset })),
  { placement: "regular", offset: 0 },
];

function reduceOpsOf(op: MatrixOp, dtype: CollectiveDType): readonly ReduceOp[] {
  const r = MATRIX_OPS[op].reduces;
  if (r !== "all") return ["sum"];
  // avg of int32 is refused (checkReduction); its error has its own test.
  return dtype === "int32" ? REDUCE_OPS.filter((o) => o !== "avg") : REDUCE_OPS;
}

/** Every case of the full matrix for one world size and the given counts, in cache-friendly order. */
export function allCases(world: number, counts: readonly number[], o: Omit<MatrixOptions, "backend"> = {}): CaseSpec[] {
  const ops = o.ops ?? (Object.keys(MATRIX_OPS) as MatrixOp[]);
  const dtypes = o.dtypes ?? COLLECTIVE_DTYPES;
  const out: CaseSpec[] = [];
  for (const count of counts) {
    for (const dtype of dtypes) {
      const seed = hashKey(`${dtype}/${count}`);
      for (const reduceOp of REDUCE_OPS) {
        for (const op of ops) {
          if (!reduceOpsOf(op, dtype).includes(reduceOp)) continue;
          for (const p of PLACEMENTS) {
            const key = `${world}/${op}/${dtype}/${reduceOp}/${count}/${p.placement}/${p.offset}`;
            out.push({ op, dtype, reduceOp, count, ...p, root: hashKey(key) % world, seed });
          }
        }
      }
    }
  }
  return out;
}

/** The cases one run executes, per world size: the sampled small matrix, then the sampled large cases. */
export function matrixCases(o: Omit<MatrixOptions, "backend">): Map<number, CaseSpec[]> {
  const worlds = o.worldSizes ?? MATRIX_WORLD_SIZES;
  const fraction = o.smallFraction ?? 1;
  const from = o.sampleFrom ?? 0;
  if (!(from >= 0 && from < 1)) throw new RangeError(`sampleFrom must lie in [0, 1), got ${from}`);
  // The hash measured from the window's start, wrapping: a case is sampled when it is below fraction.
  const key = (w: number, c: CaseSpec) => (hashKey(`${w}/${describeCase(c, w)}`) - Math.floor(from * 2 ** 32) + 2 ** 32) % 2 ** 32;
  const byWorld = new Map<number, CaseSpec[]>();
  for (const w of worlds) {
    byWorld.set(w, allCases(w, SMALL_COUNTS, o).filter((c) => fraction >= 1 || key(w, c) / 2 ** 32 < fraction));
  }
  const maxBytes = o.largeMaxBytes ?? 24 << 20;
  const large = worlds
    .flatMap((w) => allCases(w, LARGE_COUNTS, o).map((c) => ({ w, c, h: key(w, c) })))
    .filter(({ w, c }) => caseArenaBytes(c, w) <= maxBytes)
    .sort((a, b) => a.h - b.h);
  const want = o.largeCases ?? 4;
  const taken = new Set<string>();
  const picked: typeof large = [];
  // Distinct ops first, then whatever comes next in hash order.
  for (const pass of [0, 1]) {
    for (const x of large) {
      if (picked.length >= want) break;
      if (picked.includes(x) || (pass === 0 && taken.has(x.c.op))) continue;
      taken.add(x.c.op);
      picked.push(x);
    }
  }
  for (const { w, c } of picked) byWorld.get(w)!.push(c);
  return byWorld;
}

function batches(cases: readonly CaseSpec[], world: number): CaseSpec[][] {
  const out: CaseSpec[][] = [];
  let cur: CaseSpec[] = [];
  let work = 0;
  for (const c of cases) {
    const w = c.count * world * world;
    if (cur.length > 0 && (cur.length >= MAX_BATCH_CASES || work + w > MAX_BATCH_WORK)) {
      out.push(cur);
      cur = [];
      work = 0;
    }
    cur.push(c);
    work += w;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Checks one batch's per-rank summaries; returns the failures. */
function verify(cases: readonly CaseSpec[], world: number, perRank: readonly CaseSummary[][]): string[] {
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const what = describeCase(c, world);
    perRank.forEach((summaries, r) => {
      const s = summaries[i];
      if (s.mismatches > 0) {
        failures.push(`${what}: rank ${r}: ${s.mismatches} mismatches, max error ${s.maxErr}: ${s.detail ?? ""}`);
      }
    });
    if (MATRIX_OPS[c.op].sameOnAllRanks) {
      const hashes = perRank.map((s) => s[i].resultHash);
      if (hashes.some((h) => h !== hashes[0])) failures.push(`${what}: ranks disagree: result hashes ${hashes.join(", ")}`);
    }
  });
  return failures;
}

/** Runs the matrix; resolves to a report, or rejects listing the failing cases. */
export async function runCollectiveMatrix(o: MatrixOptions): Promise<MatrixReport> {
  const started = performance.now();
  // @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
  const ranks = rankSource("collective-ranks", new URL(/* @vite-ignore */ "../fixtures/collective-ranks.ts", import.meta.url));
  const exact = o.exact ?? o.backend === "cpu";
  const failures: string[] = [];
  let total = 0;
  const lines: string[] = [];
  for (const [world, cases] of matrixCases(o)) {
    if (cases.length === 0) continue;
    const t0 = performance.now();
    const arenaBytes = Math.max(...cases.map((c) => caseArenaBytes(c, world)));
    const regular = Math.max(...cases.map((c) => caseRegularBytes(c, world)));
    const heapBytes = Math.ceil((arenaBytes + 2 * regular + (1 << 20)) / 256) * 256;
    const w = await launch({ worldSize: world, heapBytes, backend: o.backend, ...ranks, timeoutMs: o.timeoutMs ?? 120_000 });
    try {
      for (const batch of batches(cases, world)) {
        try {
          const perRank = await w.run<CaseSummary[]>("runCases", { cases: batch, arenaBytes, exact } satisfies Batch);
          failures.push(...verify(batch, world, perRank));
        } catch (e) {
          failures.push(`world ${world}: ${(e as Error).message}`);
        }
      }
    } finally {
      await w.close();
    }
    total += cases.length;
    const line = `world ${world}: ${cases.length} cases in ${Math.round(performance.now() - t0)} ms`;
    lines.push(line);
    o.log?.(line);
  }
  const elapsedMs = performance.now() - started;
  const summary = `${total} cases on ${o.backend}${exact ? " (bit-exact)" : ""}: ${lines.join("; ")}`;
  if (failures.length > 0) {
    const shown = failures.slice(0, 25).join("\n  ");
    throw new Error(`collective matrix: ${failures.length} failures of ${total} cases:\n  ${shown}` +
      (failures.length > 25 ? `\n  ... and ${failures.length - 25} more` : ""));
  }
  return { cases: total, failures, elapsedMs, summary };
}
