import { OpError } from "../core/errors.ts";
import { type AnyTypedArray, type DType, itemsize, typedView } from "../core/dtype.ts";
import type { TensorData } from "../core/tensor.ts";

/** Fills a new typed array of `dtype` from `data`, checking the length (any backend's host staging). */
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
