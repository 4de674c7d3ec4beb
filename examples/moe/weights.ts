/** The layer's parameters and inputs, generated from the seed (random.ts). */
import { type MoeConfig, numExperts } from "./config.ts";
import { STREAM, uniform } from "./random.ts";

/** Rank `rank`'s tokens, row-major [tokensPerRank, hidden]. */
export function tokensOf(cfg: MoeConfig, rank: number): Float32Array {
  const n = cfg.tokensPerRank * cfg.hidden;
  return Float32Array.from({ length: n }, (_, i) => uniform(cfg.seed, STREAM.token(rank), i));
}

/** The router: gate [hidden, experts] row-major, and a bias per expert that makes some experts popular. */
export function routerWeights(cfg: MoeConfig): { gate: Float32Array; bias: Float32Array } {
  const e = numExperts(cfg);
  return {
    gate: Float32Array.from({ length: cfg.hidden * e }, (_, i) => uniform(cfg.seed, STREAM.gate, i)),
    bias: Float32Array.from({ length: e }, (_, g) => Math.fround(2 * uniform(cfg.seed, STREAM.bias, g))),
  };
}

/** Expert g's FFN: w1 [hidden, ffn] and w2 [ffn, hidden], row-major, scaled by 1/sqrt(fan-in). */
export function expertWeights(cfg: MoeConfig, g: number): { w1: Float32Array; w2: Float32Array } {
  const { hidden: h, ffn: f } = cfg;
  const s1 = 1 / Math.sqrt(h), s2 = 1 / Math.sqrt(f);
  return {
    w1: Float32Array.from({ length: h * f }, (_, i) => Math.fround(s1 * uniform(cfg.seed, STREAM.w1(g), i))),
    w2: Float32Array.from({ length: f * h }, (_, i) => Math.fround(s2 * uniform(cfg.seed, STREAM.w2(g), i))),
  };
}
