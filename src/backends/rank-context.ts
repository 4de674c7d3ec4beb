/**
 * What the layers below the rank receive instead of the rank itself. `Rank` satisfies it
 * structurally, so nothing here (or below) imports it.
 */
import type { SymmetricHeap } from "../heap/symmetric-heap.ts";

/** What one rank owns that a backend may use: its index, the world size, the heap, its device. */
export interface RankContext {
  /** This rank's world rank. */
  readonly rank: number;
  /** Number of ranks in the world. */
  readonly worldSize: number;
  /** This rank's side of the symmetric heap. */
  readonly symm: SymmetricHeap;
  /** The rank's own device (webgpu backend), or null. */
  readonly device: GPUDevice | null;
  /** Name of the rank's default backend (the dispatch key of tensors it makes). */
  readonly backend: string;
}
