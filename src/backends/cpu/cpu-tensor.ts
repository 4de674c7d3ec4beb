import { OpError } from "../../errors.ts";
import { type AnyTypedArray, type DType, itemsize, numelOf, typedView } from "../../heap/dtype.ts";
import type { RegularTensor, TensorData } from "../backend.ts";

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

/** Fills a new typed array of `dtype` from `data`, checking the length. */
export function hostArray(dtype: DType, numel: number, data?: TensorData): AnyTypedArray {
  const out = typedView(dtype, new ArrayBuffer(numel * itemsize(dtype)), 0, numel);
  if (data !== undefined) {
    if (data.length !== numel) {
      throw new OpError(`tensor data has ${data.length} elements, but the shape needs ${numel}`);
    }
    out.set(data as ArrayLike<number>);
  }
  return out;
}
