import { SymmetricMemoryError } from "../core/errors.ts";
import { type DType, itemsize, numelOf, typedView, type TypedArrayFor } from "../core/dtype.ts";
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
  /** The tensor that owns the allocation: itself, or the tensor this is a view of. */
  readonly base: SymmetricTensor;
  private freed = false;

  constructor(
    readonly group: Group,
    readonly allocation: Allocation,
    readonly dtype: D,
    readonly shape: readonly number[],
    /** This rank's slab. */
    readonly slab: SharedArrayBuffer,
    /** Bytes from the start of the allocation to this tensor's first element. */
    readonly viewOffset = 0,
    base?: SymmetricTensor,
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
    this.base = base ?? (this as SymmetricTensor);
    if (viewOffset < 0 || viewOffset + this.nbytes > allocation.bytes) {
      throw new SymmetricMemoryError(
        `view of ${this.nbytes} bytes at byte ${viewOffset} does not fit allocation ${allocation.id} ` +
          `of ${allocation.bytes} bytes`,
      );
    }
  }

  /** Byte offset of the first element in this rank's slab (and, after rendezvous, in peers'). */
  get byteOffset(): number {
    return this.allocation.offset + this.viewOffset;
  }

  get isView(): boolean {
    return this.base !== this;
  }

  /** A contiguous view `byteOffset` bytes into this tensor's allocation (element-aligned). */
  view<E extends DType>(viewOffset: number, shape: readonly number[], dtype: E): SymmetricTensor<E> {
    this.assertLive("view");
    if (viewOffset % itemsize(dtype) !== 0) {
      throw new SymmetricMemoryError(`view: byte offset ${viewOffset} is not a multiple of the ${dtype} size`);
    }
    return new SymmetricTensor(this.group, this.allocation, dtype, [...shape], this.slab, viewOffset, this.base);
  }

  /** A typed view of this rank's copy (shares memory with the heap). */
  get data(): TypedArrayFor<D> {
    this.assertLive("data");
    return typedView(this.dtype, this.slab, this.byteOffset, this.numel);
  }

  get isFreed(): boolean {
    return this.base.freed;
  }

  markFreed(): void {
    this.base.freed = true;
  }

  /** The raw bytes of this rank's copy. */
  get bytes(): Uint8Array {
    this.assertLive("bytes");
    return new Uint8Array(this.slab, this.byteOffset, this.nbytes);
  }

  assertLive(what: string): void {
    if (this.base.freed) {
      throw new SymmetricMemoryError(`${what}: symmetric tensor ${this.allocation.id} was freed`);
    }
  }
}
