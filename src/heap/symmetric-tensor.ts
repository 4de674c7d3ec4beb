import { SymmetricMemoryError } from "../core/errors.ts";
import { describeValue, quote } from "../core/args.ts";
import { checkShape, type DType, itemsize, normalizeDType, numelOf, typedView, type TypedArrayFor } from "../core/dtype.ts";
import type { Group } from "./group.ts";

/**
 * One block of the symmetric heap, as `symm.empty` made it. The members of a group make the same
 * allocations in the same order, so `id` and `seq` match across ranks (rendezvous checks it);
 * `offset` is this rank's.
 */
export interface Allocation {
  /** `${group}#${seq}`: the seq-th allocation this rank made for the group. */
  readonly id: string;
  /** 0-based count of the allocations this rank made for the group before this one. */
  readonly seq: number;
  /** Byte offset of the block in this rank's slab (256-aligned). */
  readonly offset: number;
  /** Bytes reserved (rounded up to the alignment). */
  readonly bytes: number;
  /** What it is for, as given to `symm.empty` (`workspace: realize` for the dispatcher's own). */
  readonly label?: string;
}

/**
 * A tensor whose storage lives in the symmetric heap: the same allocation exists on every rank
 * of its group, each in its own slab, and peers can reach it through a rendezvous handle.
 */
export class SymmetricTensor<D extends DType = DType> {
  /** Always "symmetric": tells it from a RegularTensor (`kind` "regular"). */
  readonly kind = "symmetric" as const;
  /** Number of elements: the product of `shape` (1 for a scalar). */
  readonly numel: number;
  /** Size of the elements in bytes: `numel * itemsize(dtype)` (at most `allocation.bytes`). */
  readonly nbytes: number;
  /** The tensor that owns the allocation: itself, or the tensor this is a view of. */
  readonly base: SymmetricTensor;
  private freed = false;

  constructor(
    /** The group it was allocated for: every member holds the same allocation. */
    readonly group: Group,
    /** The heap block it lives in (shared with the tensor it views, if any). */
    readonly allocation: Allocation,
    /** Element type. */
    readonly dtype: D,
    /** Sizes of the dimensions; `[]` for a scalar. */
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

  /** True for a tensor made by `view`: it does not own its allocation (`symm.free` refuses it). */
  get isView(): boolean {
    return this.base !== this;
  }

  /**
   * A contiguous view `viewOffset` bytes into this tensor's allocation (element-aligned; `dtype`
   * may be an alias such as "f32"). Throws a SymmetricMemoryError for a bad offset, shape or dtype,
   * or a view that does not fit the allocation.
   */
  view<E extends DType>(viewOffset: number, shape: readonly number[], dtype: E): SymmetricTensor<E> {
    this.assertLive("view");
    const dt = normalizeDType(dtype, "view") as E;
    checkShape(shape, "view");
    if (typeof viewOffset !== "number" || !Number.isInteger(viewOffset) || viewOffset < 0) {
      throw new SymmetricMemoryError(`view: byte offset must be a non-negative integer, found ${quote(viewOffset)}`);
    }
    if (viewOffset % itemsize(dt) !== 0) {
      throw new SymmetricMemoryError(`view: byte offset ${viewOffset} is not a multiple of the ${dt} size`);
    }
    return new SymmetricTensor(this.group, this.allocation, dt, [...shape], this.slab, viewOffset, this.base);
  }

  /** A typed view of this rank's copy (shares memory with the heap). */
  get data(): TypedArrayFor<D> {
    this.assertLive("data");
    return typedView(this.dtype, this.slab, this.byteOffset, this.numel);
  }

  /** True once the allocation was freed with `symm.free` (for the tensor and all its views). */
  get isFreed(): boolean {
    return this.base.freed;
  }

  /**
   * Marks the allocation freed, for the tensor and all its views; `symm.free` calls it after
   * returning the block.
   * @internal
   */
  markFreed(): void {
    this.base.freed = true;
  }

  /** The raw bytes of this rank's copy. */
  get bytes(): Uint8Array {
    this.assertLive("bytes");
    return new Uint8Array(this.slab, this.byteOffset, this.nbytes);
  }

  /**
   * Throws a SymmetricMemoryError, with `what` (the caller's name for the use) first in the
   * message, when the allocation was freed.
   */
  assertLive(what: string): void {
    if (this.base.freed) {
      throw new SymmetricMemoryError(`${what}: symmetric tensor ${this.allocation.id} was freed`);
    }
  }
}

/** A live symmetric tensor (or a view of one), else a SymmetricMemoryError naming `what`. */
export function requireSymmetric(value: unknown, what: string, arg = "tensor"): SymmetricTensor {
  if (!(value instanceof SymmetricTensor)) {
    const found = typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "regular"
      ? `a regular ${String((value as { backend?: unknown }).backend)} tensor`
      : describeValue(value);
    throw new SymmetricMemoryError(
      `${what}: ${arg} must be a symmetric tensor (from symm.empty, or a view of one), found ${found}`,
    );
  }
  value.assertLive(what);
  return value;
}
