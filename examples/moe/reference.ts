/**
 * The same layer on one rank, token by token in float64, with no all-to-all and no padding:
 * y[t] = Σ_k weight[t,k] · w2ᵀ relu(w1ᵀ x[t]) for the two experts the router picked. It shares
 * only the generated inputs and the router with the distributed layer (moe-ranks.ts).
 */
import { type MoeConfig, TOP_K } from "./config.ts";
import { route } from "./router.ts";
import { expertWeights, tokensOf } from "./weights.ts";

/** Rank `rank`'s layer output [tokensPerRank, hidden], computed on one rank. */
export function referenceLayer(cfg: MoeConfig, rank: number): Float64Array {
  const { hidden: h, ffn: f, tokensPerRank: n } = cfg;
  const x = tokensOf(cfg, rank);
  const { experts, weights } = route(cfg, x);
  const cache = new Map<number, ReturnType<typeof expertWeights>>();
  const y = new Float64Array(n * h);
  const inner = new Float64Array(f);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < TOP_K; k++) {
      const g = experts[t * TOP_K + k];
      if (!cache.has(g)) cache.set(g, expertWeights(cfg, g));
      const { w1, w2 } = cache.get(g)!;
      for (let c = 0; c < f; c++) {
        let s = 0;
        for (let j = 0; j < h; j++) s += x[t * h + j] * w1[j * f + c];
        inner[c] = Math.max(0, s);
      }
      const w = weights[t * TOP_K + k];
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let c = 0; c < f; c++) s += inner[c] * w2[c * h + j];
        y[t * h + j] += w * s;
      }
    }
  }
  return y;
}
