import type { AnyTypedArray, DType } from "./dtype.ts";

/** A tensor that lives on one backend's memory (not in the symmetric heap). */
export interface RegularTensor {
  readonly kind: "regular";
  /** Name of the backend that owns it: the dispatch key. */
  readonly backend: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly numel: number;
  readonly nbytes: number;
}

/** Host data a tensor can be made from. */
export type TensorData = AnyTypedArray | readonly number[];
