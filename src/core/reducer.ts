import type { RegularTensor } from "./tensor.ts";
import type { CollectiveDType, ReduceOp } from "./reduce-op.ts";

/**
 * A region of `count` elements in some rank's slab. Contiguous by default; with `rowLength` and
 * `rowStride` it is `count / rowLength` rows of `rowLength` elements, `rowStride` elements apart
 * (the chunks of reduce_scatter's split_last_dim).
 */
export interface HeapRegion {
  readonly slab: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly rowLength?: number;
  readonly rowStride?: number;
}

/** Reduce `count` elements from each source, in source order, with one fixed accumulation order. */
export interface ReduceJob {
  readonly sources: readonly HeapRegion[];
  readonly count: number;
  readonly dtype: CollectiveDType;
  readonly op: ReduceOp;
}

/**
 * How one backend reduces heap data. The collective algorithms (src/ops/symm_mem) are written once
 * over this; the cpu backend reduces on the host, the webgpu backend uploads and runs WGSL.
 * Accumulation is in rank (source) order, f16/bf16 in f32, so every rank gets the same bits.
 */
export interface Reducer {
  /** Writes the result into `dst` (contiguous; it may be one of the sources). */
  reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void>;
  /** Returns the result as a new regular tensor of the backend, with `shape`. */
  reduceToTensor(job: ReduceJob, shape: readonly number[]): Promise<RegularTensor>;
}
