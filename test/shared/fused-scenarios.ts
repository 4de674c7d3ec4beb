/**
 * The fused async-TP ops (fused_all_gather_matmul, fused_matmul_reduce_scatter) against the unfused
 * decomposition, runtime-neutral: Vitest on Node runs the matrix on the cpu backend
 * (test/collectives/fused-matmul.test.ts), Deno (deno/tests/fused_matmul_test.ts) and Chromium
 * (e2e/fused-matmul.spec.ts) run `fusedScenarios`, samples on webgpu. The rank side is
 * test/fixtures/fused-ranks.ts.
 *
 *   await runFusedMatrix({ backend: "cpu", worldSizes: [3] })
 */
import { launch, type BackendName, type World } from "../../src/index.ts";
import {
  FUSED_REFUSALS, fusedArenaBytes, type FusedCase, type FusedDType, type FusedRefusal, type FusedSummary, type Refusal,
} from "../fixtures/fused-ranks.ts";
import { mix } from "../fixtures/collective-ranks.ts";
import { check } from "./check.ts";
import { rankSource } from "./rank-source.ts";

export const FUSED_DTYPES: readonly FusedDType[] = ["float32", "bfloat16", "float16"];
export const FUSED_PLACEMENTS: readonly FusedCase["placement"][] = ["regular", "symmetric"];

export interface FusedMatrixOptions {
  readonly backend: BackendName;
  readonly worldSizes: readonly number[];
  readonly dtypes?: readonly FusedDType[];
  readonly placements?: readonly FusedCase["placement"][];
  /** Share of the cases to run, chosen deterministically. Default 1. */
  readonly fraction?: number;
  /** Only the all-gather or only the reduce-scatter cases. */
  readonly ops?: readonly FusedCase["op"][];
  /** Add the two large cases (largeCases); default true. */
  readonly large?: boolean;
}

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h >>> 0, 0, 0);
}

/**
 * The all-gather shapes: a 3-d shard gathered along dims 0, 1 and 2 (the last: B's rows split
 * across the ranks), with two Bs; single-row runs (gather_dim 1 of [3, 1, 4]: one strided job);
 * no rows; an empty contraction (the outputs are zeros).
 */
function gatherShapes(): { shard: number[]; gatherDim: number; bCols: number[] }[] {
  return [
    ...[0, 1, 2].map((gatherDim) => ({ shard: [2, 3, 5], gatherDim, bCols: [4, 7] })),
    { shard: [3, 1, 4], gatherDim: 1, bCols: [3] },
    { shard: [0, 3, 4], gatherDim: 0, bCols: [2] },
    { shard: [2, 2, 0], gatherDim: 1, bCols: [3] },
  ];
}

/**
 * The reduce-scatter shapes on `w` ranks: a 3-d A scattered along dims 0, 1 and 2 (the last: B's
 * columns), single-row runs ([3, w, 4] along dim 1), no rows, an empty contraction.
 */
function scatterShapes(w: number): { a: number[]; bCols: number; scatterDim: number }[] {
  return [
    ...[0, 1, 2].map((scatterDim) => ({ a: [2 * w, 3 * w, 5], bCols: 2 * w, scatterDim })),
    { a: [3, w, 4], bCols: 3, scatterDim: 1 },
    { a: [0, w, 3], bCols: 2, scatterDim: 1 },
    { a: [w, 2, 0], bCols: 3, scatterDim: 0 },
  ];
}

/**
 * The stages setting of the i-th case: forced 1, forced 2, or left to the size (which picks one
 * stage for these small shapes; the large case of largeCases() crosses the threshold), in turn,
 * so both pipelines run every kind of shape across the matrix.
 */
const stages = (i: number): { stages?: 1 | 2 } => (i % 3 === 2 ? {} : { stages: (1 + (i % 3)) as 1 | 2 });

/** Every case for one world size, or a deterministic sample. */
export function fusedCases(world: number, o: Omit<FusedMatrixOptions, "backend" | "worldSizes"> = {}): FusedCase[] {
  const out: FusedCase[] = [];
  const fraction = o.fraction ?? 1;
  const ops = o.ops ?? ["fused_all_gather_matmul", "fused_matmul_reduce_scatter"];
  const pick = (key: string) => fraction >= 1 || hashKey(`pick/${key}`) / 2 ** 32 < fraction;
  for (const dtype of o.dtypes ?? FUSED_DTYPES) {
    for (const placement of o.placements ?? FUSED_PLACEMENTS) {
      if (ops.includes("fused_all_gather_matmul")) {
        for (const s of gatherShapes()) {
          for (const returnA of [true, false]) {
            const key = `${world}/ag/${dtype}/${placement}/${s.shard.join("x")}/${s.gatherDim}/${returnA}`;
            if (pick(key)) out.push({ op: "fused_all_gather_matmul", dtype, placement, returnA, ...s, seed: hashKey(key), ...stages(out.length) });
          }
        }
      }
      if (ops.includes("fused_matmul_reduce_scatter")) {
        for (const s of scatterShapes(world)) {
          for (const reduceOp of ["sum", "avg"] as const) {
            const key = `${world}/rs/${dtype}/${placement}/${s.a.join("x")}/${s.scatterDim}/${reduceOp}`;
            if (pick(key)) out.push({ op: "fused_matmul_reduce_scatter", dtype, placement, reduceOp, ...s, seed: hashKey(key), ...stages(out.length) });
          }
        }
      }
    }
  }
  if (o.large !== false) out.push(...largeCases(world, ops));
  return out;
}

/**
 * Two float32 cases large enough (at least 2^20 multiply-adds per rank from 2 ranks on) that the
 * size alone picks two stages (fused-tuning.ts), with no setting: all-gather of [64, 64] shards
 * times a [64, 128] B, reduce-scatter of [192, 64] @ [64, 128].
 */
export function largeCases(world: number, ops: readonly FusedCase["op"][] = ["fused_all_gather_matmul", "fused_matmul_reduce_scatter"]): FusedCase[] {
  const out: FusedCase[] = [];
  const base = { dtype: "float32", placement: "regular" } as const;
  if (ops.includes("fused_all_gather_matmul")) {
    out.push({ op: "fused_all_gather_matmul", ...base, shard: [64, 64], gatherDim: 0, bCols: [128], returnA: true, seed: hashKey(`${world}/large/ag`) });
  }
  if (ops.includes("fused_matmul_reduce_scatter") && 192 % world === 0) {
    out.push({ op: "fused_matmul_reduce_scatter", ...base, a: [192, 64], bCols: 128, scatterDim: 0, reduceOp: "sum", seed: hashKey(`${world}/large/rs`) });
  }
  return out;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../fixtures/fused-ranks.ts", import.meta.url);

/** A world for the fused tests: heap for the arena and the ops' workspaces. */
export async function withFusedWorld<T>(
  backend: BackendName, worldSize: number, heapBytes: number, body: (w: World) => Promise<T>,
): Promise<T> {
  const w = await launch({ worldSize, heapBytes, backend, timeoutMs: 60_000, ...rankSource("fused-ranks", rankModule) });
  try {
    return await body(w);
  } finally {
    await w.close();
  }
}

export interface FusedMatrixReport {
  readonly cases: number;
  readonly summary: string;
}

/** Runs the matrix; resolves to a report, or rejects listing the failing cases. */
export async function runFusedMatrix(o: FusedMatrixOptions): Promise<FusedMatrixReport> {
  const failures: string[] = [];
  const lines: string[] = [];
  let total = 0;
  for (const world of o.worldSizes) {
    const cases = fusedCases(world, o);
    if (cases.length === 0) continue;
    const t0 = performance.now();
    const arena = Math.max(...cases.map((c) => fusedArenaBytes(c, world)));
    await withFusedWorld(o.backend, world, Math.ceil((arena + (1 << 20)) / 256) * 256, async (w) => {
      const perRank = await w.run<FusedSummary[]>("runFusedCases", cases);
      let maxErr = 0;
      cases.forEach((c, k) => perRank.forEach((s, r) => {
        maxErr = Math.max(maxErr, s[k].maxErr);
        if (s[k].mismatches > 0) failures.push(`world ${world}, rank ${r}: ${s[k].mismatches} mismatches: ${s[k].detail ?? ""}`);
      }));
      lines.push(`world ${world}: ${cases.length} cases in ${Math.round(performance.now() - t0)} ms, max error ${maxErr}`);
    });
    total += cases.length;
  }
  const summary = `${total} fused cases on ${o.backend} against the unfused decomposition: ${lines.join("; ")}`;
  if (failures.length > 0) {
    throw new Error(`fused matrix: ${failures.length} failures of ${total} cases:\n  ${failures.slice(0, 25).join("\n  ")}` +
      (failures.length > 25 ? `\n  ... and ${failures.length - 25} more` : ""));
  }
  return { cases: total, summary };
}

const AG = "symm_mem::fused_all_gather_matmul";
const RS = "symm_mem::fused_matmul_reduce_scatter";

/** What every rank must be told for each bad input: the error class and a part of its message. */
export const EXPECTED_FUSED_REFUSALS: Readonly<Record<FusedRefusal, { readonly name: string; readonly message: RegExp }>> = {
  agNotMatrix: { name: "OpError", message: new RegExp(`${AG}: A_shard must be a matrix: expected argument "A" with at least 2 dims, found shape \\[6\\]`) },
  agBNotMatrix: { name: "OpError", message: /B must be a matrix: expected argument "Bs\[1\]" with 2 dims, found shape \[3, 2, 1\]/ },
  agGatherDimHigh: { name: "OpError", message: /Invalid gather_dim: expected a dim of A in \[0, 2\] \(the dim A's shards are gathered along\), found 3/ },
  agGatherDimNegative: { name: "OpError", message: /Invalid gather_dim: expected a dim of A in \[0, 2\] .*found -1/ },
  agDType: { name: "OpError", message: /argument "A" expected a dtype of float32, float16, bfloat16, found int32/ },
  agBDType: { name: "OpError", message: /argument "Bs\[1\]" expected dtype float32 \(the dtype of "A"\), found bfloat16/ },
  agContraction: { name: "OpError", message: /mat1 and mat2 shapes cannot be multiplied \(\d+x3 and 4x2\): argument "Bs\[0\]" expected 3 rows \(the last dim of A\), found 4/ },
  agLastDimContraction: { name: "OpError", message: /argument "Bs\[0\]" expected \d+ rows \(the last dim of A × group size \d+: gather_dim is A's last dim\), found 3/ },
  agStridedA: { name: "OpError", message: new RegExp(`${AG}: argument "A" expected a contiguous symmetric tensor, found a strided view`) },
  rsNotMatrix: { name: "OpError", message: new RegExp(`${RS}: A_shard must be a matrix: expected argument "A" with at least 2 dims`) },
  rsScatterDim: { name: "OpError", message: /Invalid scatter_dim: expected a dim of A in \[0, 1\] \(the dim of A @ B that is scattered\), found 2/ },
  rsBNotMatrix: { name: "OpError", message: /B must be a matrix: expected argument "B" with 2 dims, found shape \[3\]/ },
  rsReduceOp: { name: "OpError", message: /reduce_op must be sum or avg: expected one of sum, avg, found "max"/ },
  rsNotDivisible: { name: "OpError", message: /dim 0 of A @ B \(shape \[\d+, 2\]\) must be divisible by the group size \d+ to be scattered/ },
  rsLastDimNotDivisible: { name: "OpError", message: /dim 1 of A @ B \(shape \[\d+, \d+\]\) must be divisible by the group size/ },
  rsContraction: { name: "OpError", message: /mat1 and mat2 shapes cannot be multiplied \(\d+x3 and 2x2\): argument "B" expected 3 rows/ },
  badStages: { name: "OpError", message: /symm_mem::fused_matmul_reduce_scatter: setting stages must be 1 or 2, found 3/ },
  unknownSetting: { name: "OpError", message: /symm_mem::fused_all_gather_matmul: unknown setting "chunks": expected stages/ },
  rsBDType: { name: "OpError", message: /argument "B" expected dtype float32 \(the dtype of "A"\), found bfloat16/ },
  thenWorks: { name: "none", message: /no error/ },
};

/** Refusals that need more than one rank: every size divides by 1, and k × 1 is k. */
const MULTI_RANK: readonly FusedRefusal[] = ["rsNotDivisible", "rsLastDimNotDivisible", "agLastDimContraction"];

/** The refusals that mean something on `world` ranks. */
export function fusedRefusalsFor(world: number): FusedRefusal[] {
  return FUSED_REFUSALS.filter((r) => world > 1 || !MULTI_RANK.includes(r));
}

/** Runs every bad input (each in its own run) and checks what every rank was told. */
export async function checkFusedRefusals(w: World, only: readonly FusedRefusal[] = fusedRefusalsFor(w.worldSize)): Promise<string> {
  for (const which of only) {
    let perRank: Refusal[];
    try {
      perRank = await w.run<Refusal>("fusedRefusal", which);
    } catch (e) {
      throw new Error(`fused refusal ${which}: the run failed instead of every rank reporting: ${(e as Error).message}`);
    }
    const want = EXPECTED_FUSED_REFUSALS[which];
    perRank.forEach((r, rank) => {
      check(r.name === want.name && want.message.test(r.message),
        `${which}: rank ${rank} was told ${r.name}: ${r.message}; expected ${want.name} matching ${want.message}`);
    });
  }
  return `${only.length} bad inputs refused on every rank`;
}

export interface FusedScenarioOptions {
  backend: BackendName;
  worldSize: number;
}

/**
 * Whether the webgpu adapter here has shader-f16 (float16 is refused without it); false where this
 * thread has no `navigator.gpu` to ask (Node's main thread: Dawn lives in the rank workers).
 */
async function hasF16(backend: BackendName): Promise<boolean> {
  if (backend !== "webgpu") return true;
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  return adapter?.features.has("shader-f16") === true;
}

/** Samples for the runtimes that cannot afford the matrix (webgpu on Deno and Chromium). */
export const fusedScenarios: Record<string, (o: FusedScenarioOptions) => Promise<string>> = {
  async "all-gather matmul: every gather dim, return_A both ways, float32 and bfloat16"(o) {
    const r = await runFusedMatrix({
      backend: o.backend, worldSizes: [o.worldSize], ops: ["fused_all_gather_matmul"], dtypes: ["float32", "bfloat16"],
      placements: ["regular"], fraction: 0.6,
    });
    return r.summary;
  },

  async "matmul reduce-scatter: every scatter dim, sum and avg, float32 and bfloat16"(o) {
    const r = await runFusedMatrix({
      backend: o.backend, worldSizes: [o.worldSize], ops: ["fused_matmul_reduce_scatter"], dtypes: ["float32", "bfloat16"],
      placements: ["regular"], fraction: 0.6,
    });
    return r.summary;
  },

  async "symmetric inputs with guard bytes, an odd world size"(o) {
    const r = await runFusedMatrix({
      backend: o.backend, worldSizes: [Math.max(1, o.worldSize - 1) | 1], dtypes: ["float32"], placements: ["symmetric"], fraction: 0.4,
    });
    return r.summary;
  },

  async "float16 where the device has shader-f16"(o) {
    if (!(await hasF16(o.backend))) return "SKIP: no shader-f16 on this WebGPU adapter, or no navigator.gpu here to ask";
    const r = await runFusedMatrix({ backend: o.backend, worldSizes: [o.worldSize], dtypes: ["float16"], placements: ["regular"], fraction: 0.3 });
    return r.summary;
  },

  async "bad inputs are refused on every rank"(o) {
    return withFusedWorld(o.backend, o.worldSize, 1 << 20, (w) => checkFusedRefusals(w));
  },
};
