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
    /** The elements: `numel` of them, in the dtype's typed array (raw bits in a Uint16Array for float16 and bfloat16). */
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
