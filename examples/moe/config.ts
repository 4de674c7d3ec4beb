/**
 * The MoE layer's sizes and seed, shared by the rank module (moe-ranks.ts), the single-rank
 * reference (reference.ts) and the checks (verify.ts): everything is generated from these, so
 * every rank and the checker compute the same inputs, router and expert weights.
 */

/** One MoE layer: `worldSize × expertsPerRank` experts, top-2 routing, `major_align` on dispatch. */
export interface MoeConfig {
  /** Ranks; expert g lives on rank floor(g / expertsPerRank). */
  readonly worldSize: number;
  /** Tokens each rank routes (rows of its input). */
  readonly tokensPerRank: number;
  /** Width of a token (model dimension). */
  readonly hidden: number;
  /** Width of an expert's inner layer (FFN: hidden → ffn → hidden, ReLU between). */
  readonly ffn: number;
  /** Local experts per rank (PyTorch's `ne`). */
  readonly expertsPerRank: number;
  /** `major_align` of all_to_all_vdev_2d: every expert's block starts on (and spans) a multiple of it. */
  readonly majorAlign: number;
  /** Seed of the token values, the router and the expert weights. */
  readonly seed: number;
}

/** Experts per token (top-2 routing). */
export const TOP_K = 2;

/** The defaults: a few seconds on the cpu backend and on software GPUs. */
export const DEFAULT_MOE: Omit<MoeConfig, "worldSize"> = {
  tokensPerRank: 100, hidden: 32, ffn: 64, expertsPerRank: 3, majorAlign: 8, seed: 11,
};

/** A config with the defaults for what `partial` leaves out. */
export function moeConfig(worldSize: number, partial: Partial<Omit<MoeConfig, "worldSize">> = {}): MoeConfig {
  const cfg = { ...DEFAULT_MOE, ...partial, worldSize };
  checkConfig(cfg);
  return cfg;
}

/** Total experts. */
export function numExperts(cfg: MoeConfig): number {
  return cfg.worldSize * cfg.expertsPerRank;
}

/**
 * The experts the router never picks, so some bins are always empty (and get `major_align`
 * rows of padding): every fourth, starting with expert 1.
 */
export function isDeadExpert(g: number): boolean {
  return g % 4 === 1;
}

/** Throws unless every size is a positive integer and top-2 has two experts to choose from. */
export function checkConfig(cfg: MoeConfig): void {
  for (const [k, v] of Object.entries(cfg)) {
    if (!Number.isInteger(v) || v < (k === "seed" ? 0 : 1)) throw new Error(`moe: ${k} must be a positive integer, found ${v}`);
  }
  const live = Array.from({ length: numExperts(cfg) }, (_, g) => g).filter((g) => !isDeadExpert(g)).length;
  if (live < TOP_K) {
    throw new Error(`moe: top-${TOP_K} routing needs ${TOP_K} live experts, found ${live} of ${numExperts(cfg)} ` +
      `(world ${cfg.worldSize} × ${cfg.expertsPerRank} experts; every fourth from expert 1 is never routed to)`);
  }
}

/** Rows of the dispatch output: every token of every rank on this rank, plus each expert's padding. */
export function dispatchCapacity(cfg: MoeConfig): number {
  return cfg.worldSize * cfg.tokensPerRank * TOP_K + cfg.expertsPerRank * cfg.majorAlign;
}

/** Heap bytes per rank the layer needs (its five symmetric tensors, room for canaries, and a margin for the ops' workspace). */
export function moeHeapBytes(cfg: MoeConfig): number {
  const rowBytes = cfg.hidden * 4;
  const rows = cfg.tokensPerRank * TOP_K;
  const tensors = (rows + 2 * dispatchCapacity(cfg) + rows + 2 * CANARY_ROWS) * rowBytes + 16 * numExperts(cfg) * 4;
  return Math.ceil((2 * tensors + (4 << 20)) / (1 << 20)) * (1 << 20);
}

/** Rows after the combine output that must stay untouched (canary). */
export const CANARY_ROWS = 4;
