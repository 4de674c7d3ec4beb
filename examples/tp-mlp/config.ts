/**
 * The tensor-parallel MLP's sizes and seed, shared by the rank module (mlp-ranks.ts), the
 * single-rank reference (reference.ts) and the checks (verify.ts): every input and weight is
 * generated from these (weights.ts), so every rank and the checker compute the same values.
 */

/** One MLP `y = gelu(x W1) W2` on `worldSize` ranks, Megatron style. */
export interface MlpConfig {
  /** Ranks: W1's columns, W2's rows and x's rows are split `worldSize` ways. */
  readonly worldSize: number;
  /** Tokens in all (rows of x); rank r holds rows [r T/world, (r+1) T/world). */
  readonly tokens: number;
  /** Width of a token (x's columns, W1's rows, W2's columns). */
  readonly hidden: number;
  /** Width of the inner layer (W1's columns, W2's rows), split across the ranks. */
  readonly ffn: number;
  /** Seed of x, W1 and W2. */
  readonly seed: number;
}

/** The defaults: well under a second per mode on the cpu backend and on software GPUs. */
export const DEFAULT_MLP: Omit<MlpConfig, "worldSize"> = { tokens: 64, hidden: 32, ffn: 128, seed: 7 };

/** A config with the defaults for what `partial` leaves out; throws unless the sizes divide by the world size. */
export function mlpConfig(worldSize: number, partial: Partial<Omit<MlpConfig, "worldSize">> = {}): MlpConfig {
  const cfg = { ...DEFAULT_MLP, ...partial, worldSize };
  checkMlpConfig(cfg);
  return cfg;
}

/** Throws unless every size is a positive integer and tokens and ffn divide by the world size. */
export function checkMlpConfig(cfg: MlpConfig): void {
  for (const [k, v] of Object.entries(cfg)) {
    if (!Number.isInteger(v) || v < (k === "seed" ? 0 : 1)) throw new Error(`tp-mlp: ${k} must be a positive integer, found ${v}`);
  }
  for (const k of ["tokens", "ffn"] as const) {
    if (cfg[k] % cfg.worldSize !== 0) throw new Error(`tp-mlp: ${k} (${cfg[k]}) must be divisible by the world size ${cfg.worldSize}`);
  }
}

/** Rows of x each rank holds (and of y it returns). */
export function rowsPerRank(cfg: MlpConfig): number {
  return cfg.tokens / cfg.worldSize;
}

/** Columns of W1 (rows of W2) each rank holds. */
export function ffnPerRank(cfg: MlpConfig): number {
  return cfg.ffn / cfg.worldSize;
}

/**
 * Heap bytes per rank the three modes need: eager's realization workspace (x, the gathered x, the
 * layer-2 partials, y), the plan's homes, the fused ops' workspaces (the gathered x, the partials),
 * with room to spare, in whole MiB.
 */
export function mlpHeapBytes(cfg: MlpConfig): number {
  const full = cfg.tokens * cfg.hidden * 4;
  const part = rowsPerRank(cfg) * cfg.hidden * 4;
  const perMode = 2 * full + 2 * part + 4096;
  return Math.ceil((4 * perMode + (4 << 20)) / (1 << 20)) * (1 << 20);
}
