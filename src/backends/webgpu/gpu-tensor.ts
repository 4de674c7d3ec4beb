import { type DType, itemsize, numelOf } from "../../core/dtype.ts";
import type { RegularTensor } from "../backend.ts";

/** A tensor in a GPUBuffer on its rank's device (never in the heap). */
export class GpuTensor implements RegularTensor {
  readonly kind = "regular" as const;
  readonly backend = "webgpu";
  readonly numel: number;
  readonly nbytes: number;

  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    /** Size rounded up to 4 bytes, as copies and writeBuffer require. */
    readonly buffer: GPUBuffer,
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
  }

  /** The buffer's byte size: nbytes rounded up to 4 (at least 4). */
  get paddedBytes(): number {
    return paddedSize(this.nbytes);
  }
}

export function paddedSize(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}
