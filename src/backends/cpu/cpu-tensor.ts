import { type AnyTypedArray, type DType, itemsize, numelOf } from "../../core/dtype.ts";
import type { RegularTensor } from "../../core/tensor.ts";

/** A tensor in plain host memory: the reference backend's storage. */
export class CpuTensor implements RegularTensor {
  readonly kind = "regular" as const;
  readonly backend = "cpu";
  readonly numel: number;
  readonly nbytes: number;
  /** Set by the cpu backend's `dispose`; nothing else changes (the garbage collector frees `data`). */
  disposed = false;

  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    /**
     * The elements: `numel` of them, in the dtype's typed array (raw bits in a Uint16Array for
     * float16 and bfloat16). A small result of a reduction (≤ 256 bytes) is a view into a 4 KiB
     * buffer it shares with other small arrays, as Node's pooled Buffers are: do not transfer
     * `data.buffer`; `rank.read` (or `data.slice()`) gives a copy of its own.
     */
    readonly data: AnyTypedArray,
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
  }

  /** The `nbytes` bytes of `data`, as a Uint8Array over the same memory. */
  get bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.nbytes);
  }
}
