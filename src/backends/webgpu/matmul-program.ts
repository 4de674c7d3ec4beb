/**
 * The tiled matmul as a GPU program (shaders/matmul.wgsl) and the runner's call for one job:
 * one workgroup per 64 × 64 tile of out, tiles numbered row-major and folded into x × y
 * workgroups past maxComputeWorkgroupsPerDimension. No submit, no readback (gpu-matmul.ts).
 */
import type { MatmulDType } from "../matmul.ts";
import type { GpuProgram, ProgramCall } from "./program.ts";
import { matmulShaderSource } from "./wgsl/matmul-shader.ts";

/** Side of the square tile of out that one workgroup computes (TILE in the WGSL). */
export const MATMUL_TILE = 64;
/** Invocations per workgroup: 16 × 16, each a 4 × 4 block of the tile. */
const INVOCATIONS = 256;
/** Params in shaders/matmul.wgsl: m, n, k, three (offset, stride) pairs, tiles_n, tiles, row_pitch. */
const PARAMS_WORDS = 12;

/** The matmul program of one dtype. */
export function matmulProgram(dtype: MatmulDType): GpuProgram {
  return {
    key: `matmul/${dtype}`,
    source: () => matmulShaderSource(dtype),
    storage: ["read", "read", "read_write"],
    paramsWords: PARAMS_WORDS,
    workgroupSize: INVOCATIONS,
    features: dtype === "float16" ? { "shader-f16": "float16" } : {},
  };
}

/** A bound matrix: its buffer binding, and where the matrix lies in it (in elements). */
export interface BoundMatrix {
  readonly binding: GPUBufferBinding;
  readonly offset: number;
  readonly stride: number;
}

/** The sizes of one matmul: out (m × n) = a (m × k) · b (k × n). */
export interface MatmulSizes {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** Tiles of out: per row of tiles, and in all. */
export function matmulTiles(s: Pick<MatmulSizes, "m" | "n">): { readonly tilesN: number; readonly tiles: number } {
  const tilesN = Math.ceil(s.n / MATMUL_TILE);
  return { tilesN, tiles: Math.ceil(s.m / MATMUL_TILE) * tilesN };
}

/** The runner's call for out = a · b (none when out is empty). */
export function matmulCalls(dtype: MatmulDType, s: MatmulSizes, a: BoundMatrix, b: BoundMatrix, out: BoundMatrix): ProgramCall[] {
  const { tilesN, tiles } = matmulTiles(s);
  if (tiles === 0) return [];
  return [{
    program: matmulProgram(dtype),
    bindings: [a.binding, b.binding, out.binding],
    invocations: tiles * INVOCATIONS,
    params: (fold) => [
      s.m, s.n, s.k, a.offset, a.stride, b.offset, b.stride, out.offset, out.stride, tilesN, tiles, fold.rowPitch,
    ],
  }];
}
