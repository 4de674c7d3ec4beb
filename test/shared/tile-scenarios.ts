/**
 * The tile reductions' correctness matrix and refusals, runtime-neutral: Vitest on Node runs every
 * case (test/collectives/tile-reduce.test.ts), Deno (deno/tests/tile_test.ts) and Chromium
 * (e2e/tile.spec.ts) run `tileScenarios`, a few samples on webgpu. The rank side is
 * test/fixtures/tile-ranks.ts: every rank checks its own out_tile against the oracle, the guard
 * bytes around it, that a non-root's out_tile is untouched and that the inputs are.
 *
 *   await runTileMatrix({ backend: "cpu", worldSizes: [3] })
 */
import { COLLECTIVE_DTYPES, launch, REDUCE_OPS, type BackendName, type CollectiveDType, type World } from "../../src/index.ts";
import {
  describeTileCase, TILE_REFUSALS, tileArenaBytes, type Refusal, type TileCase, type TileOp, type TileRefusal,
  type TileSummary,
} from "../fixtures/tile-ranks.ts";
import { mix } from "../fixtures/collective-ranks.ts";
import { check } from "./check.ts";
import { rankSource } from "./rank-source.ts";

/** Tile shapes [rows, cols]: empty, one element, odd, a wide one of 2800 elements. */
export const TILE_SHAPES: readonly (readonly [number, number])[] = [[0, 5], [1, 1], [3, 5], [17, 33], [40, 70]];
export const TILE_PLACEMENTS: readonly TileCase["placement"][] = ["strided", "contiguous", "regular"];
export const TILE_OPS: readonly TileOp[] = ["tile_reduce", "multi_root_tile_reduce"];

export interface TileMatrixOptions {
  readonly backend: BackendName;
  readonly worldSizes: readonly number[];
  /** Default all four; leave out float16 where the device has no shader-f16. */
  readonly dtypes?: readonly CollectiveDType[];
  readonly shapes?: readonly (readonly [number, number])[];
  readonly placements?: readonly TileCase["placement"][];
  /** Share of the cases to run, chosen deterministically. Default 1. */
  readonly fraction?: number;
  /** Bitwise comparison with the oracle. Default: true on the cpu backend, else a dtype tolerance. */
  readonly exact?: boolean;
}

export interface TileMatrixReport {
  readonly cases: number;
  readonly summary: string;
}

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h >>> 0, 0, 0);
}

/** Roots of a case: tile_reduce one rank; multi-root a deterministic subset of the ranks, shuffled. */
function rootsOf(op: TileOp, world: number, key: string): number[] {
  const h = hashKey(key);
  if (op === "tile_reduce") return [h % world];
  const ranks = Array.from({ length: world }, (_, r) => r);
  for (let i = world - 1; i > 0; i--) {
    const j = mix(h, i, 1) % (i + 1);
    [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
  }
  return ranks.slice(0, 1 + (h % world)); // 1 .. world tiles
}

/** Every case for one world size (op × dtype × reduce op × shape × placement), or a sample. */
export function tileCases(world: number, o: Omit<TileMatrixOptions, "backend" | "worldSizes"> = {}): TileCase[] {
  const out: TileCase[] = [];
  const fraction = o.fraction ?? 1;
  for (const [rows, cols] of o.shapes ?? TILE_SHAPES) {
    for (const dtype of o.dtypes ?? COLLECTIVE_DTYPES) {
      for (const reduceOp of REDUCE_OPS) {
        if (dtype === "int32" && reduceOp === "avg") continue; // refused, as in every collective
        for (const op of TILE_OPS) {
          for (const placement of o.placements ?? TILE_PLACEMENTS) {
            const key = `${world}/${op}/${dtype}/${reduceOp}/${rows}x${cols}/${placement}`;
            if (fraction < 1 && hashKey(`pick/${key}`) / 2 ** 32 >= fraction) continue;
            out.push({ op, dtype, reduceOp, rows, cols, placement, roots: rootsOf(op, world, key), seed: hashKey(key) });
          }
        }
      }
    }
  }
  return out;
}

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../fixtures/tile-ranks.ts", import.meta.url);

async function withWorld<T>(backend: BackendName, worldSize: number, heapBytes: number, body: (w: World) => Promise<T>): Promise<T> {
  const w = await launch({ worldSize, heapBytes, backend, timeoutMs: 60_000, ...rankSource("tile-ranks", rankModule) });
  try {
    return await body(w);
  } finally {
    await w.close();
  }
}

const BATCH = 120;

/** Runs the matrix; resolves to a report, or rejects listing the failing cases. */
export async function runTileMatrix(o: TileMatrixOptions): Promise<TileMatrixReport> {
  const exact = o.exact ?? o.backend === "cpu";
  const failures: string[] = [];
  const lines: string[] = [];
  let total = 0;
  for (const world of o.worldSizes) {
    const cases = tileCases(world, o);
    if (cases.length === 0) continue;
    const t0 = performance.now();
    const arena = Math.max(...cases.map(tileArenaBytes));
    // The arena, and the dispatcher's workspace for realized (regular) tiles.
    const heapBytes = Math.ceil((2 * arena + (1 << 20)) / 256) * 256;
    await withWorld(o.backend, world, heapBytes, async (w) => {
      for (let i = 0; i < cases.length; i += BATCH) {
        const batch = cases.slice(i, i + BATCH);
        const perRank = await w.run<TileSummary[]>("runTileCases", batch, exact);
        batch.forEach((c, k) => perRank.forEach((s, r) => {
          if (s[k].mismatches > 0) {
            failures.push(`${describeTileCase(c, world)}: rank ${r}: ${s[k].mismatches} mismatches, max error ` +
              `${s[k].maxErr}: ${s[k].detail ?? ""}`);
          }
        }));
      }
    });
    total += cases.length;
    lines.push(`world ${world}: ${cases.length} cases in ${Math.round(performance.now() - t0)} ms`);
  }
  const summary = `${total} tile cases on ${o.backend}${exact ? " (bit-exact)" : ""}: ${lines.join("; ")}`;
  if (failures.length > 0) {
    throw new Error(`tile matrix: ${failures.length} failures of ${total} cases:\n  ${failures.slice(0, 25).join("\n  ")}` +
      (failures.length > 25 ? `\n  ... and ${failures.length - 25} more` : ""));
  }
  return { cases: total, summary };
}

/** What every rank must be told for each bad input: the error class and a part of its message. */
export const EXPECTED_REFUSALS: Readonly<Record<TileRefusal, { readonly name: string; readonly message: RegExp }>> = {
  rootTwice: { name: "OpError", message: /argument "roots" lists rank \d+ at indices 0 and 1: a rank is the root of at most one tile/ },
  rootOutOfRange: { name: "OpError", message: /symm_mem::tile_reduce: argument "root" expected a rank of group "world" in \[0, \d+\], found \d+/ },
  notTwoD: { name: "OpError", message: /argument "in_tile" expected a 2-d tile, found shape \[16\]/ },
  shapesDiffer: { name: "OpError", message: /argument "in_tiles\[1\]" expected shape \[4, 4\] \(the shape of out_tile\), found \[4, 3\]/ },
  tileOutside: { name: "SymmetricMemoryError", message: /tile: rows \[6, 10\) × cols \[10, 14\) do not lie inside the 8 × 12 tensor/ },
  stridesDoNotFit: { name: "SymmetricMemoryError", message: /view of 496 bytes \(strides \[40, 1\]\) at byte 48 does not fit allocation world#\d+ of 512 bytes/ },
  overlap: { name: "OpError", message: /arguments "in_tile" and "out_tile" overlap in allocation world#\d+: expected disjoint memory/ },
  stridedToOtherOp: { name: "OpError", message: /symm_mem::one_shot_all_reduce: argument "input" expected a contiguous symmetric tensor, found a strided view \(shape \[4, 4\], strides \[12, 1\]\)/ },
  stridedToHostAllReduce: { name: "OpError", message: /webshmem::host_all_reduce_: argument "input" expected a contiguous symmetric tensor, found a strided view/ },
  stridedToAllReduce: { name: "OpError", message: /allReduce: argument "input" expected a contiguous tensor, found a strided view \(shape \[4, 4\], strides \[12, 1\]\)/ },
  stridedData: { name: "SymmetricMemoryError", message: /data: expected a contiguous symmetric tensor, found a strided view/ },
  disagreeingStrides: { name: "AgreementError", message: /row stride/ },
  thenWorks: { name: "none", message: /no error/ },
};

/** Runs every bad input of TILE_REFUSALS (each in its own run) and checks what every rank was told. */
export async function checkTileRefusals(w: World, only: readonly TileRefusal[] = TILE_REFUSALS): Promise<string> {
  for (const which of only) {
    let perRank: Refusal[];
    try {
      perRank = await w.run<Refusal>("tileRefusal", which);
    } catch (e) {
      throw new Error(`tile refusal ${which}: the run failed instead of every rank reporting: ${(e as Error).message}`);
    }
    const want = EXPECTED_REFUSALS[which];
    perRank.forEach((r, rank) => {
      check(r.name === want.name && want.message.test(r.message),
        `${which}: rank ${rank} was told ${r.name}: ${r.message}; expected ${want.name} matching ${want.message}`);
    });
  }
  return `${only.length} bad inputs refused on every rank`;
}

export interface TileScenarioOptions {
  backend: BackendName;
  worldSize: number;
  /** Default all four; the Deno/Chromium runners pass the ones the device has. */
  dtypes?: readonly CollectiveDType[];
}

/** A few samples for the runtimes that cannot afford the matrix (webgpu on Deno and Chromium). */
export const tileScenarios: Record<string, (o: TileScenarioOptions) => Promise<string>> = {
  async "strided tiles, every reduce op, sampled dtypes"(o) {
    const r = await runTileMatrix({
      backend: o.backend, worldSizes: [o.worldSize], shapes: [[3, 5], [17, 33]], placements: ["strided"],
      dtypes: o.dtypes ?? ["float32", "bfloat16", "int32"], fraction: 0.4,
    });
    return r.summary;
  },

  async "float16 tiles where the device has shader-f16"(o) {
    const adapter = o.backend === "webgpu" ? await navigator.gpu?.requestAdapter() : undefined;
    if (o.backend === "webgpu" && adapter?.features.has("shader-f16") !== true) {
      return "SKIP: this WebGPU adapter has no shader-f16 (float16 is refused with its own error)";
    }
    const r = await runTileMatrix({
      backend: o.backend, worldSizes: [o.worldSize], shapes: [[3, 5]], placements: ["strided"], dtypes: ["float16"],
    });
    return r.summary;
  },

  async "an odd world size, contiguous and realized tiles"(o) {
    const r = await runTileMatrix({
      backend: o.backend, worldSizes: [Math.max(1, o.worldSize - 1) | 1], shapes: [[1, 1], [40, 70]],
      placements: ["contiguous", "regular"], dtypes: ["float32", "int32"], fraction: 0.2,
    });
    return r.summary;
  },

  async "strided tiles of another group are realized row by row"(o) {
    return withWorld(o.backend, o.worldSize, 1 << 20, async (w) => {
      const perRank = await w.run<string[]>("tileOfOtherGroup");
      perRank.forEach((problems, r) => check(problems.length === 0, `rank ${r}: ${problems.slice(0, 3).join("; ")}`));
      return "packed into the workspace, reduced, unpacked into the strided out_tile; nothing else written";
    });
  },

  async "bad inputs get a typed error on every rank"(o) {
    return withWorld(o.backend, o.worldSize, 1 << 20, (w) => checkTileRefusals(w));
  },
};
