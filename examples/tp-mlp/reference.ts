/**
 * The same MLP on one rank in float64, with no sharding: y = gelu(x W1) W2 over all of x, W1 and
 * W2 (weights.ts). It shares only the generated inputs with the distributed step (mlp-ranks.ts).
 *
 * It also gives, per output element, a bound on the error any float32 evaluation of the
 * distributed step can make (the tolerance verify.ts checks against, justified by the dtype):
 * with u = 2^-24 and γ(n) = n u / (1 - n u), the standard bound for an n-term float32 dot product
 * in any order (FMA or not) is γ(n) Σ|terms|. Layer 1's h_c (hidden terms) is off by at most
 * γ(hidden) Σ_k |x_k W1_kc|; gelu (|gelu'| ≤ GELU_LIPSCHITZ, one rounding) carries that into
 * a_c; layer 2 sums ffn / world products per rank, and the ranks' partial sums are added in
 * float32 (world terms). So
 *
 *   |y_j − ŷ_j| ≤ 1.01 [ (γ(ffn/world) + γ(world) + 2u) Σ_c |a_c W2_cj| + L γ(hidden) Σ_c (Σ_k |x_k W1_kc|) |W2_cj| ]
 *
 * (1.01 covers the second-order terms). A wrong value (a row out of place, a shard swapped, a
 * missing rank's partial sum) is off by O(|y|), orders of magnitude above it.
 */
import { type MlpConfig, rowsPerRank } from "./config.ts";
import { gelu, GELU_LIPSCHITZ } from "./ops.ts";
import { fullW1, fullW2, fullX } from "./weights.ts";

const U = 2 ** -24;
const gamma = (n: number) => (n * U) / (1 - n * U);

/** Every rank's expected output, and the error bound of each element. */
export interface MlpReference {
  /** y for all tokens, row-major [tokens, hidden], float64. */
  readonly y: Float64Array;
  /** The bound on |float32 result − y| of each element (see the module comment). */
  readonly bound: Float64Array;
}

/** The single-rank MLP over all tokens, with the float32 error bound of each element. */
export function referenceMlp(cfg: MlpConfig): MlpReference {
  const { tokens: t, hidden: h, ffn: f, worldSize: w } = cfg;
  const x = fullX(cfg), w1 = fullW1(cfg), w2 = fullW2(cfg);
  const y = new Float64Array(t * h), bound = new Float64Array(t * h);
  const a = new Float64Array(f), aAbs = new Float64Array(f), hAbs = new Float64Array(f);
  const c2 = gamma(f / w) + gamma(w) + 2 * U, c1 = GELU_LIPSCHITZ * gamma(h);
  const acc = new Float64Array(h), accA = new Float64Array(h), accH = new Float64Array(h);
  for (let r = 0; r < t; r++) {
    a.fill(0);
    hAbs.fill(0);
    for (let k = 0; k < h; k++) {
      const xv = x[r * h + k];
      for (let c = 0; c < f; c++) {
        const p = xv * w1[k * f + c];
        a[c] += p;
        hAbs[c] += Math.abs(p);
      }
    }
    for (let c = 0; c < f; c++) {
      a[c] = gelu(a[c]);
      aAbs[c] = Math.abs(a[c]);
    }
    acc.fill(0);
    accA.fill(0);
    accH.fill(0);
    for (let c = 0; c < f; c++) {
      const av = a[c], aa = aAbs[c], ha = hAbs[c];
      for (let j = 0; j < h; j++) {
        const wv = w2[c * h + j], wa = Math.abs(wv);
        acc[j] += av * wv;
        accA[j] += aa * wa;
        accH[j] += ha * wa;
      }
    }
    for (let j = 0; j < h; j++) {
      y[r * h + j] = acc[j];
      bound[r * h + j] = 1.01 * (c2 * accA[j] + c1 * accH[j]);
    }
  }
  return { y, bound };
}

/** Rank r's rows of a [tokens, hidden] array. */
export function rowsOf<T extends Float64Array>(cfg: MlpConfig, all: T, r: number): T {
  const n = rowsPerRank(cfg) * cfg.hidden;
  return all.subarray(r * n, (r + 1) * n) as T;
}
