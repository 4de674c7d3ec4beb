/**
 * The MLP's input and weights, generated from the seed with the MoE example's stateless generator
 * (examples/moe/random.ts): element i of a stream is a pure function of (seed, stream, i), so a
 * rank generates its own shard by global index and the reference the whole matrices.
 */
import { uniform } from "../moe/random.ts";
import { ffnPerRank, type MlpConfig, rowsPerRank } from "./config.ts";

/** Streams of this example (apart from the MoE example's, which start at 1000). */
const STREAM = { x: 50_001, w1: 50_002, w2: 50_003 } as const;

/** x[t, j] in [-1, 1). */
function xAt(cfg: MlpConfig, t: number, j: number): number {
  return uniform(cfg.seed, STREAM.x, t * cfg.hidden + j);
}

/** W1[j, c], scaled by 1/sqrt(hidden) (rounded to float32). */
function w1At(cfg: MlpConfig, j: number, c: number): number {
  return Math.fround(uniform(cfg.seed, STREAM.w1, j * cfg.ffn + c) / Math.sqrt(cfg.hidden));
}

/** W2[c, j], scaled by 1/sqrt(ffn) (rounded to float32). */
function w2At(cfg: MlpConfig, c: number, j: number): number {
  return Math.fround(uniform(cfg.seed, STREAM.w2, c * cfg.hidden + j) / Math.sqrt(cfg.ffn));
}

/** All of x, row-major [tokens, hidden]. */
export function fullX(cfg: MlpConfig): Float32Array {
  return Float32Array.from({ length: cfg.tokens * cfg.hidden }, (_, i) => xAt(cfg, Math.floor(i / cfg.hidden), i % cfg.hidden));
}

/** All of W1, row-major [hidden, ffn]. */
export function fullW1(cfg: MlpConfig): Float32Array {
  return Float32Array.from({ length: cfg.hidden * cfg.ffn }, (_, i) => w1At(cfg, Math.floor(i / cfg.ffn), i % cfg.ffn));
}

/** All of W2, row-major [ffn, hidden]. */
export function fullW2(cfg: MlpConfig): Float32Array {
  return Float32Array.from({ length: cfg.ffn * cfg.hidden }, (_, i) => w2At(cfg, Math.floor(i / cfg.hidden), i % cfg.hidden));
}

/** Rank r's rows of x, [tokens / world, hidden]. */
export function xShard(cfg: MlpConfig, r: number): Float32Array {
  const n = rowsPerRank(cfg), h = cfg.hidden;
  return Float32Array.from({ length: n * h }, (_, i) => xAt(cfg, r * n + Math.floor(i / h), i % h));
}

/** Rank r's columns of W1 (column-parallel), [hidden, ffn / world]. */
export function w1Shard(cfg: MlpConfig, r: number): Float32Array {
  const f = ffnPerRank(cfg);
  return Float32Array.from({ length: cfg.hidden * f }, (_, i) => w1At(cfg, Math.floor(i / f), r * f + (i % f)));
}

/** Rank r's rows of W2 (row-parallel), [ffn / world, hidden]. */
export function w2Shard(cfg: MlpConfig, r: number): Float32Array {
  const f = ffnPerRank(cfg), h = cfg.hidden;
  return Float32Array.from({ length: f * h }, (_, i) => w2At(cfg, r * f + Math.floor(i / h), i % h));
}
