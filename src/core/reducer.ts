import type { RegularTensor } from "./tensor.ts";
import type { CollectiveDType, ReduceOp } from "./reduce-op.ts";

/**
 * A region of `count` elements in some rank's slab. Contiguous by default; with `rowLength` and
 * `rowStride` it is `count / rowLength` rows of `rowLength` elements, `rowStride` elements apart
 * (the chunks of reduce_scatter's split_last_dim).
 */
export interface HeapRegion {
  /** The shared memory that holds the region: a rank's slab. */
  readonly slab: SharedArrayBuffer;
  /** Byte offset of the region's first element in `slab`. */
  readonly byteOffset: number;
  /** Elements per row; unset: the region is contiguous. */
  readonly rowLength?: number;
  /** Elements from the start of one row to the next; unset: `rowLength` (rows back to back). */
  readonly rowStride?: number;
}

/** Reduce `count` elements from each source, in source order, with one fixed accumulation order. */
export interface ReduceJob {
  /** The regions to combine, in accumulation order (the collectives pass one per group rank, in rank order). */
  readonly sources: readonly HeapRegion[];
  /** Elements to reduce from each source (and to write). */
  readonly count: number;
  /** Element type of every source and of the result. */
  readonly dtype: CollectiveDType;
  /** How elements are combined; "avg" divides the sum by the number of sources. */
  readonly op: ReduceOp;
}

/**
 * How one backend reduces heap data. The collective algorithms (src/ops/symm_mem) are written once
 * over this; the cpu backend reduces on the host, the webgpu backend uploads and runs WGSL.
 * Accumulation is in rank (source) order, f16/bf16 in f32, so every rank gets the same bits.
 */
export interface Reducer {
  /**
   * Writes the result into `dst`: contiguous (it may then be one of the sources), or rows of
   * `rowLength` elements `rowStride` apart (a strided tile; it must not overlap a source).
   */
  reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void>;
  /**
   * Optional: writes the result into every one of `dsts` (contiguous; each may be a source at the
   * same offset, none may overlap a source otherwise), for reducers that can copy it on while it
   * is in cache (the host reducer). Callers without it reduce into one and copy to the rest.
   */
  reduceToHeaps?(job: ReduceJob, dsts: readonly HeapRegion[]): Promise<void>;
  /** Returns the result as a new regular tensor of the backend, with `shape`. */
  reduceToTensor(job: ReduceJob, shape: readonly number[]): Promise<RegularTensor>;
}
