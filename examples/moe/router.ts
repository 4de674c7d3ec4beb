/**
 * Top-2 routing and the dispatch order. The router scores every expert (tokens · gate + bias,
 * in float64), never picks the dead experts (config.ts), and weighs the two it picks with a
 * softmax over their two scores, as Mixtral does. The dispatch input is the token rows sorted by
 * expert (rank-major: expert g = rank × expertsPerRank + local expert), `in_splits[g]` rows each.
 */
import { isDeadExpert, type MoeConfig, numExperts, TOP_K } from "./config.ts";
import { routerWeights } from "./weights.ts";

/** Where each token goes: `experts[t * TOP_K + k]` with weight `weights[t * TOP_K + k]`. */
export interface Routing {
  readonly experts: Int32Array;
  readonly weights: Float32Array;
}

/** Routes one rank's tokens ([tokensPerRank, hidden]). */
export function route(cfg: MoeConfig, tokens: Float32Array): Routing {
  const { gate, bias } = routerWeights(cfg);
  const e = numExperts(cfg), h = cfg.hidden, n = cfg.tokensPerRank;
  const experts = new Int32Array(n * TOP_K);
  const weights = new Float32Array(n * TOP_K);
  const score = new Float64Array(e);
  for (let t = 0; t < n; t++) {
    for (let g = 0; g < e; g++) {
      let s = bias[g];
      for (let j = 0; j < h; j++) s += tokens[t * h + j] * gate[j * e + g];
      score[g] = isDeadExpert(g) ? -Infinity : s;
    }
    let a = -1, b = -1; // best, second best (lower index wins a tie)
    for (let g = 0; g < e; g++) {
      if (score[g] === -Infinity) continue;
      if (a < 0 || score[g] > score[a]) [a, b] = [g, a];
      else if (b < 0 || score[g] > score[b]) b = g;
    }
    const wa = 1 / (1 + Math.exp(score[b] - score[a]));
    experts[t * TOP_K] = a;
    experts[t * TOP_K + 1] = b;
    weights[t * TOP_K] = wa;
    weights[t * TOP_K + 1] = 1 - wa;
  }
  return { experts, weights };
}

/** The dispatch input's order: row i of it is token slot `slotOf[i]` (t × TOP_K + k); `rowOf` is the inverse. */
export interface DispatchOrder {
  /** Rows per expert, rank-major: the `in_splits` of all_to_all_vdev_2d. */
  readonly inSplits: Int32Array;
  readonly slotOf: Int32Array;
  readonly rowOf: Int32Array;
}

/** Sorts the token slots by expert (stable: tokens in order within an expert). */
export function dispatchOrder(cfg: MoeConfig, routing: Routing): DispatchOrder {
  const e = numExperts(cfg), slots = routing.experts.length;
  const inSplits = new Int32Array(e);
  for (const g of routing.experts) inSplits[g]++;
  const next = new Int32Array(e);
  for (let g = 1; g < e; g++) next[g] = next[g - 1] + inSplits[g - 1];
  const slotOf = new Int32Array(slots), rowOf = new Int32Array(slots);
  for (let s = 0; s < slots; s++) {
    const row = next[routing.experts[s]]++;
    slotOf[row] = s;
    rowOf[s] = row;
  }
  return { inSplits, slotOf, rowOf };
}
