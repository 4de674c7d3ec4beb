/**
 * The training data: two interleaved spirals in the plane, generated from a seed (the same points on
 * every rank and in the page), and the batches: each step's global batch is a slice of a seeded
 * shuffle of the points, and rank r trains on its contiguous shard of that batch.
 */
import { deriveSeed, gaussian, mulberry32 } from "../rng.ts";

export interface Dataset {
  /** Number of points. */
  readonly n: number;
  /** The points, x0 y0 x1 y1 …, within about [-2.5, 2.5]². */
  readonly x: Float32Array<ArrayBuffer>;
  /** The class of each point, 0 or 1. */
  readonly y: Uint32Array<ArrayBuffer>;
}

/** Turns of each spiral arm, and the noise added to each coordinate. */
export const SPIRAL_TURNS = 1.25;
export const SPIRAL_NOISE = 0.1;
/** Radius of the outer end of the arms (inputs of a few units suit the tanh layers at their initial weights). */
export const SPIRAL_RADIUS = 2.5;

/** `n` points (n/2 per class, rounded) of two spirals, class c's arm turned by c·π. */
export function twoSpirals(seed: number, n: number): Dataset {
  const rand = mulberry32(deriveSeed(seed, 1));
  const x = new Float32Array(2 * n);
  const y = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = Math.sqrt((i >> 1) / Math.ceil(n / 2) + rand() / Math.ceil(n / 2)); // denser near the centre
    const angle = t * SPIRAL_TURNS * 2 * Math.PI + c * Math.PI;
    const r = SPIRAL_RADIUS * (0.05 + 0.95 * t);
    x[2 * i] = r * Math.cos(angle) + SPIRAL_NOISE * gaussian(rand);
    x[2 * i + 1] = r * Math.sin(angle) + SPIRAL_NOISE * gaussian(rand);
    y[i] = c;
  }
  return { n, x, y };
}

/** The seeded permutation of 0..n-1 used for epoch `epoch` (Fisher–Yates). */
export function epochOrder(seed: number, n: number, epoch: number): Uint32Array<ArrayBuffer> {
  const rand = mulberry32(deriveSeed(seed, 1000 + epoch));
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** Draws the global batches of a run in order: step s gets positions s·B … s·B+B-1 of the epochs' shuffles, back to back. */
export class BatchStream {
  private epoch = -1;
  private order: Uint32Array<ArrayBuffer> = new Uint32Array(0);

  constructor(readonly seed: number, readonly n: number, readonly batch: number) {}

  /** The point indices of step `step`'s global batch (length `batch`). */
  globalBatch(step: number): Uint32Array<ArrayBuffer> {
    const out = new Uint32Array(this.batch);
    for (let k = 0; k < this.batch; k++) {
      const pos = step * this.batch + k;
      const epoch = Math.floor(pos / this.n);
      if (epoch !== this.epoch) {
        this.epoch = epoch;
        this.order = epochOrder(this.seed, this.n, epoch);
      }
      out[k] = this.order[pos % this.n];
    }
    return out;
  }
}

/** Rows [start, end) of a batch of `batch` rows that rank `rank` of `worldSize` trains on (sizes differ by at most one). */
export function shardRange(batch: number, worldSize: number, rank: number): [number, number] {
  return [Math.floor((rank * batch) / worldSize), Math.floor(((rank + 1) * batch) / worldSize)];
}

/** The points and labels of `indices`, gathered (x0 y0 x1 y1 …, and the classes). */
export function gather(data: Dataset, indices: ArrayLike<number>): { x: Float32Array; y: Uint32Array } {
  const x = new Float32Array(2 * indices.length);
  const y = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i];
    x[2 * i] = data.x[2 * p];
    x[2 * i + 1] = data.x[2 * p + 1];
    y[i] = data.y[p];
  }
  return { x, y };
}
