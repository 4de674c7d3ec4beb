import { SymmetricMemoryError } from "../errors.ts";
import { type DType, itemsize, numelOf, typedView, type TypedArrayFor } from "./dtype.ts";
import type { Group } from "./group.ts";

export interface Allocation {
  /** `${group}#${seq}`: the seq-th allocation this rank made for the group. */
  readonly id: string;
  readonly seq: number;
  /** Byte offset of the block in this rank's slab (256-aligned). */
  readonly offset: number;
  /** Bytes reserved (rounded up to the alignment). */
  readonly bytes: number;
}

/**
 * A tensor whose storage lives in the symmetric heap: the same allocation exists on every rank
 * of its group, each in its own slab, and peers can reach it through a rendezvous handle.
 */
export class SymmetricTensor<D extends DType = DType> {
  readonly kind = "symmetric" as const;
  readonly numel: number;
  readonly nbytes: number;
  private freed = false;

  constructor(
    readonly group: Group,
    readonly allocation: Allocation,
    readonly dtype: D,
    readonly shape: readonly number[],
    /** This rank's slab. */
    readonly slab: SharedArrayBuffer,
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
  }

  /** Byte offset of the first element in this rank's slab. */
  get byteOffset(): number {
    return this.allocation.offset;
  }

  /** A typed view of this rank's copy (shares memory with the heap). */
  get data(): TypedArrayFor<D> {
    this.assertLive("data");
    return typedView(this.dtype, this.slab, this.allocation.offset, this.numel);
  }

  get isFreed(): boolean {
    return this.freed;
  }

  markFreed(): void {
    this.freed = true;
  }

  assertLive(what: string): void {
    if (this.freed) {
      throw new SymmetricMemoryError(`${what}: symmetric tensor ${this.allocation.id} was freed`);
    }
  }
}
