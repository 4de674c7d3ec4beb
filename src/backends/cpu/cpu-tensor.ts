import { type AnyTypedArray, type DType, itemsize, numelOf } from "../../core/dtype.ts";
import type { RegularTensor } from "../../core/tensor.ts";

/** A tensor in plain host memory: the reference backend's storage. */
export class CpuTensor implements RegularTensor {
  readonly kind = "regular" as const;
  readonly backend = "cpu";
  readonly numel: number;
  readonly nbytes: number;
  disposed = false;

  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly data: AnyTypedArray,
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.nbytes);
  }
}
