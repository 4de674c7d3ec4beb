/** The training run's settings: defaults, the bounds the panel enforces, and the tolerances the page checks. */

export interface TrainConfig {
  /** Optimizer steps. */
  readonly steps: number;
  /** Learning rate of SGD with momentum. */
  readonly lr: number;
  /** Global batch: the rows of every step, split over the ranks. */
  readonly batch: number;
  /** Width of the two hidden layers. */
  readonly hidden: number;
  /** Seed of the data, the initial weights and the batch order. */
  readonly seed: number;
}

/** Points in the two-spirals set (half per class), and the momentum: fixed. */
export const POINTS = 1024;
export const MOMENTUM = 0.9;
/** Steps per world.run call (each returns the chunk's losses, so the chart moves as steps complete). */
export const CHUNK_STEPS = 10;

export const DEFAULT_CONFIG: TrainConfig = { steps: 300, lr: 0.2, batch: 64, hidden: 32, seed: 1 };

/** The layer widths of the MLP for a hidden width: 2 → H → H → 2. */
export const mlpSizes = (hidden: number): number[] => [2, hidden, hidden, 2];

/**
 * Largest |loss(data-parallel) − loss(single rank)| allowed at any step: the two runs add the same
 * products in a different order, so they drift apart by float32 rounding only.
 */
export const LOSS_TOLERANCE = 1e-3;
/** Largest |WGSL gradient − JavaScript gradient| allowed, relative to the largest gradient entry. */
export const GRAD_CHECK_TOLERANCE = 1e-4;

interface Field {
  readonly key: keyof TrainConfig;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

export const FIELDS: readonly Field[] = [
  { key: "steps", label: "steps", min: 1, max: 5000, integer: true },
  { key: "lr", label: "learning rate", min: 1e-4, max: 2, integer: false },
  { key: "batch", label: "batch size", min: 1, max: POINTS, integer: true },
  { key: "hidden", label: "hidden size", min: 2, max: 256, integer: true },
  { key: "seed", label: "seed", min: 0, max: 2 ** 31 - 1, integer: true },
];

/** Parses the form's strings; throws an Error naming the field and its bounds for a bad one. */
export function parseConfig(values: Readonly<Record<keyof TrainConfig, string>>, worldSize: number): TrainConfig {
  const out: Record<string, number> = {};
  for (const f of FIELDS) {
    const text = values[f.key].trim();
    const v = Number(text);
    const kind = f.integer ? "a whole number" : "a number";
    if (text === "" || !Number.isFinite(v) || (f.integer && !Number.isInteger(v)) || v < f.min || v > f.max) {
      throw new Error(`${f.label}: expected ${kind} from ${f.min} to ${f.max}, found ${JSON.stringify(text)}`);
    }
    out[f.key] = v;
  }
  if (out.batch < worldSize) {
    throw new Error(`batch size: expected at least ${worldSize} (one row per rank: the batch is split over the ${worldSize} ranks), found ${out.batch}`);
  }
  return out as unknown as TrainConfig;
}
