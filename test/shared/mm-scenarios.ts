/**
 * webshmem::mm, mm.out and the backends' matmul capability on launched ranks, runtime-neutral:
 * Node's Dawn (test/webgpu-node/mm.test.ts), Deno (deno/tests/mm_test.ts) and Chromium
 * (e2e/mm.spec.ts) run `mmScenarios` on webgpu; the cpu backend runs every case in-thread
 * (test/ops/mm.test.ts). The rank side is test/fixtures/mm-ranks.ts: each rank checks its own
 * results against float64 loops (its `tolerance` per dtype), the guard elements around a heap
 * `out` and that the inputs are untouched. float16 runs only where the device has shader-f16;
 * elsewhere its refusal is checked.
 */
import { launch, type BackendName, type World } from "../../src/index.ts";
import {
  type MatmulDType, type MmCase, type MmPlacement, type MmReport, MM_DTYPES,
} from "../fixtures/mm-ranks.ts";
import { check } from "./check.ts";
import { rankSource } from "./rank-source.ts";

const rankModule = new URL(/* @vite-ignore */ "../fixtures/mm-ranks.ts", import.meta.url);

/** [m, k, n] for the webgpu samples: empty, ones, odd, the tile (64) ± 1, a deep k, several tiles. */
export const MM_GPU_SHAPES: readonly (readonly [number, number, number])[] = [
  [0, 5, 3], [4, 0, 3], [1, 1, 1], [3, 5, 7], [63, 64, 65], [65, 17, 1], [1, 130, 64], [100, 70, 129],
];

export interface MmScenarioOptions {
  readonly backend: BackendName;
  readonly worldSize: number;
}

/** The world the scenarios run on (the op is local: each rank multiplies its own inputs and checks them). */
async function withWorld<T>(o: MmScenarioOptions, body: (w: World) => Promise<T>): Promise<T> {
  const w = await launch({
    worldSize: o.worldSize, heapBytes: 4 << 20, backend: o.backend, timeoutMs: 60_000,
    ...rankSource("mm-ranks", rankModule),
  });
  try {
    return await body(w);
  } finally {
    await w.close();
  }
}

/** The dtypes every rank of `w` can multiply (float16 only with shader-f16 on every rank). */
async function dtypesOf(w: World): Promise<MatmulDType[]> {
  const f16 = (await w.run<boolean>("mmHasFloat16")).every(Boolean);
  return MM_DTYPES.filter((d) => d !== "float16" || f16);
}

/** Each shape and dtype once, the placements rotated so each operand meets every placement. */
export function mmSampleCases(dtypes: readonly MatmulDType[]): MmCase[] {
  const places: readonly MmPlacement[] = ["regular", "heap", "tile"];
  const outs: readonly (MmPlacement | "new")[] = ["new", "regular", "heap", "tile"];
  const cases: MmCase[] = [];
  let i = 0;
  for (const [m, k, n] of MM_GPU_SHAPES) {
    for (const dtype of dtypes) {
      cases.push({ m, k, n, dtype, self: places[i % 3], mat2: places[(i + 1) % 3], out: outs[i % 4], seed: 100 + i });
      i++;
    }
  }
  return cases;
}

function checkReports(reports: readonly MmReport[]): string {
  const failures = reports.flatMap((r) => r.failures);
  check(failures.length === 0, `${failures.length} failures: ${failures.slice(0, 4).join("; ")}`);
  const worst = Math.max(...reports.map((r) => r.maxErrOverTol));
  return `${reports[0].checked} cases on each of ${reports.length} ranks, worst error ${worst.toFixed(3)} of the tolerance`;
}

export const mmScenarios: Record<string, (o: MmScenarioOptions) => Promise<string>> = {
  async "mm and mm.out: every dtype the device has, shapes around the tile, regular, heap and strided-tile operands"(o) {
    return withWorld(o, async (w) => {
      const dtypes = await dtypesOf(w);
      const text = checkReports(await w.run<MmReport>("mmCases", mmSampleCases(dtypes)));
      return `${text} (${dtypes.join(", ")})`;
    });
  },

  async "the capability with strided MatrixRefs at odd offsets; a dispatch folded past the per-dimension limit"(o) {
    return withWorld(o, async (w) => {
      const dtypes = await dtypesOf(w);
      for (const dtype of dtypes) {
        for (const placement of ["regular", "heap"] as const) {
          const perRank = await w.run<string[]>("mmWindows", dtype, placement);
          perRank.forEach((f, r) => check(f.length === 0, `rank ${r}: ${f.slice(0, 3).join("; ")}`));
        }
      }
      const folded = await w.run<string[]>("mmFolded", "float32");
      folded.forEach((f, r) => check(f.length === 0, `rank ${r}: ${f.slice(0, 3).join("; ")}`));
      return `windows with guards (${dtypes.join(", ")}; regular and heap), a folded 24-tile dispatch: correct on every rank`;
    });
  },

  async "bad calls are refused on every rank with the expected OpError"(o) {
    return withWorld(o, async (w) => {
      const perRank = await w.run<string[]>("mmRefusals");
      perRank.forEach((f, r) => check(f.length === 0, `rank ${r}: ${f.slice(0, 3).join("; ")}`));
      const f16 = await w.run<string>("mmFloat16Refusal");
      f16.forEach((msg, r) => check(msg === "" || /^OpError: float16 needs the WebGPU feature "shader-f16"/.test(msg),
        `rank ${r}: float16 without shader-f16 gave ${msg}`));
      return f16[0] === "" ? "refused by message" : `refused by message; float16 refused: ${f16[0]}`;
    });
  },
};
