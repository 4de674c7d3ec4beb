import type { AnyTypedArray, DType } from "./dtype.ts";

/** A tensor that lives on one backend's memory (not in the symmetric heap). */
export interface RegularTensor {
  /** Always "regular": tells it from a SymmetricTensor (`kind` "symmetric"). */
  readonly kind: "regular";
  /** Name of the backend that owns it: the dispatch key. */
  readonly backend: string;
  /** Element type. */
  readonly dtype: DType;
  /** Sizes of the dimensions; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Number of elements: the product of `shape` (1 for a scalar). */
  readonly numel: number;
  /** Size of the elements in bytes: `numel * itemsize(dtype)`. */
  readonly nbytes: number;
}

/** Host data a tensor can be made from. */
export type TensorData = AnyTypedArray | readonly number[];
