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
  /**
   * Element strides, one per dimension: row-major contiguous (`[cols, 1]` for a 2-d tensor) unless
   * the tensor is a strided 2-d view made by `tile` or `view(..., { strides })`: `[rowStride, 1]`.
   */
  readonly strides: readonly number[];
  /** Bytes from the first element to just past the last, strides included (`nbytes` when contiguous). */
  readonly spanBytes: number;
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
    strides?: readonly number[],
  ) {
    this.numel = numelOf(shape);
    this.nbytes = this.numel * itemsize(dtype);
    this.base = base ?? (this as SymmetricTensor);
    this.strides = strides === undefined ? contiguousStrides(shape) : checkStrides(shape, strides);
    this.spanBytes = spanOf(shape, this.strides) * itemsize(dtype);
    if (viewOffset < 0 || viewOffset + this.spanBytes > allocation.bytes) {
      const what = this.isContiguous ? `${this.nbytes} bytes` : `${this.spanBytes} bytes (strides [${this.strides.join(", ")}])`;
      throw new SymmetricMemoryError(
        `view of ${what} at byte ${viewOffset} does not fit allocation ${allocation.id} of ${allocation.bytes} bytes`,
      );
    }
  }

  /**
   * False for a strided view (rows not back to back): `data` and `bytes` refuse it, and only the
   * ops that take strided tiles (tile_reduce, multi_root_tile_reduce) accept it.
   */
  get isContiguous(): boolean {
    return this.spanBytes === this.nbytes;
  }

  /**
   * The 2-d layout of this tensor as rows: `rows` rows of `rowLength` elements, `rowStride`
   * elements apart. Defined for 2-d tensors and for contiguous ones (one row of `numel` elements).
   * @internal
   */
  get rowLayout(): { readonly rows: number; readonly rowLength: number; readonly rowStride: number } {
    if (this.shape.length === 2 && !this.isContiguous) {
      return { rows: this.shape[0], rowLength: this.shape[1], rowStride: this.strides[0] };
    }
    return { rows: this.numel === 0 ? 0 : 1, rowLength: this.numel, rowStride: this.numel };
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
   * A view `viewOffset` bytes into this tensor's allocation (element-aligned; `dtype` may be an
   * alias such as "f32"): contiguous, or with `options.strides` a strided 2-d view
   * `[rowStride, 1]` (rowStride ≥ the row length, in elements). Throws a SymmetricMemoryError for
   * a bad offset, shape, dtype or strides, or a view whose span does not fit the allocation.
   */
  view<E extends DType>(
    viewOffset: number, shape: readonly number[], dtype: E, options: { readonly strides?: readonly number[] } = {},
  ): SymmetricTensor<E> {
    this.assertLive("view");
    const dt = normalizeDType(dtype, "view") as E;
    checkShape(shape, "view");
    if (typeof viewOffset !== "number" || !Number.isInteger(viewOffset) || viewOffset < 0) {
      throw new SymmetricMemoryError(`view: byte offset must be a non-negative integer, found ${quote(viewOffset)}`);
    }
    if (viewOffset % itemsize(dt) !== 0) {
      throw new SymmetricMemoryError(`view: byte offset ${viewOffset} is not a multiple of the ${dt} size`);
    }
    return new SymmetricTensor(this.group, this.allocation, dt, [...shape], this.slab, viewOffset, this.base, options.strides);
  }

  /**
   * The `rows` × `cols` tile of this 2-d tensor whose first element is (`row`, `col`): a strided
   * view (PyTorch's `t[row:row+rows, col:col+cols]`) sharing this tensor's allocation, with
   * strides `[this.strides[0], 1]`. A tile of a tile works too. Throws a SymmetricMemoryError
   * when this tensor is not 2-d or the tile does not lie inside it.
   */
  tile(row: number, col: number, rows: number, cols: number): SymmetricTensor<D> {
    this.assertLive("tile");
    if (this.shape.length !== 2) {
      throw new SymmetricMemoryError(`tile: expected a 2-d tensor, found shape [${this.shape.join(", ")}]`);
    }
    const [h, w] = this.shape;
    for (const [name, v] of [["row", row], ["col", col], ["rows", rows], ["cols", cols]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
        throw new SymmetricMemoryError(`tile: ${name} must be a non-negative integer, found ${quote(v)}`);
      }
    }
    if (row + rows > h || col + cols > w) {
      throw new SymmetricMemoryError(
        `tile: rows [${row}, ${row + rows}) × cols [${col}, ${col + cols}) do not lie inside the ${h} × ${w} tensor`,
      );
    }
    const rowStride = this.strides[0];
    const offset = this.viewOffset + (row * rowStride + col) * itemsize(this.dtype);
    return new SymmetricTensor(this.group, this.allocation, this.dtype, [rows, cols], this.slab, offset, this.base,
      [rowStride, 1]);
  }

  /** A typed view of this rank's copy (shares memory with the heap); refused for a strided view. */
  get data(): TypedArrayFor<D> {
    this.assertContiguous("data");
    return typedView(this.dtype, this.slab, this.byteOffset, this.numel);
  }

  /** A new host copy of this rank's elements in row-major order (a strided view's rows packed). */
  elements(): TypedArrayFor<D> {
    this.assertLive("elements");
    if (this.isContiguous) return this.data.slice() as TypedArrayFor<D>;
    const out = typedView(this.dtype, new ArrayBuffer(this.nbytes), 0, this.numel);
    for (let i = 0; i < this.shape[0]; i++) out.set(this.row(i) as never, i * this.shape[1]);
    return out;
  }

  /** A typed view of row `i` of this rank's copy of a 2-d tensor (strided or not; shares memory). */
  row(i: number): TypedArrayFor<D> {
    this.assertLive("row");
    if (this.shape.length !== 2 || !Number.isInteger(i) || i < 0 || i >= this.shape[0]) {
      throw new SymmetricMemoryError(
        `row: expected a row index in [0, ${(this.shape[0] ?? 0) - 1}] of a 2-d tensor, found ${quote(i)} of shape ` +
          `[${this.shape.join(", ")}]`,
      );
    }
    const start = this.byteOffset + i * this.strides[0] * itemsize(this.dtype);
    return typedView(this.dtype, this.slab, start, this.shape[1]);
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

  /** The raw bytes of this rank's copy; refused for a strided view (its bytes are not one range). */
  get bytes(): Uint8Array {
    this.assertContiguous("bytes");
    return new Uint8Array(this.slab, this.byteOffset, this.nbytes);
  }

  /**
   * Throws a SymmetricMemoryError, `what` first, when the tensor is a strided view (or freed):
   * for the uses that need its elements as one contiguous range.
   */
  assertContiguous(what: string): void {
    this.assertLive(what);
    if (!this.isContiguous) {
      throw new SymmetricMemoryError(
        `${what}: expected a contiguous symmetric tensor, found a strided view of ${this.allocation.id} ` +
          `(shape [${this.shape.join(", ")}], strides [${this.strides.join(", ")}]); use row(i) for its rows`,
      );
    }
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

/**
 * Copies `src`'s elements into `dst` (this rank's copies; same dtype and shape), either of them a
 * strided view: row by row for 2-d tensors, else as one range (both are then contiguous).
 */
export function copyElements(dst: SymmetricTensor, src: SymmetricTensor): void {
  if (dst.dtype !== src.dtype || dst.shape.join() !== src.shape.join()) {
    throw new SymmetricMemoryError(
      `copyElements: expected the same dtype and shape, found ${dst.dtype}[${dst.shape.join(", ")}] and ` +
        `${src.dtype}[${src.shape.join(", ")}]`,
    );
  }
  if (dst.isContiguous && src.isContiguous) {
    dst.bytes.set(src.bytes);
    return;
  }
  for (let i = 0; i < dst.shape[0]; i++) dst.row(i).set(src.row(i) as never);
}

/** Row-major element strides of `shape`. */
function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** Elements from the first to just past the last (0 when empty). */
function spanOf(shape: readonly number[], strides: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  return 1 + shape.reduce((acc, d, i) => acc + (d - 1) * strides[i], 0);
}

/**
 * The strides a view may have: the contiguous ones, or, for a 2-d shape, `[rowStride, 1]` with
 * rows that do not overlap (rowStride ≥ the row length), which is all the strided ops handle.
 */
function checkStrides(shape: readonly number[], strides: readonly number[]): readonly number[] {
  const contiguous = contiguousStrides(shape);
  const shown = Array.isArray(strides) ? `[${Array.from(strides as unknown[]).map((v) => quote(v)).join(", ")}]` : describeValue(strides);
  if (!Array.isArray(strides) || strides.length !== shape.length) {
    throw new SymmetricMemoryError(`view: strides must be one per dimension of shape [${shape.join(", ")}], found ${shown}`);
  }
  if (numelOf(shape) === 0 || strides.every((s, i) => s === contiguous[i] || shape[i] <= 1)) return contiguous;
  const [rowStride, colStride] = strides;
  if (shape.length !== 2 || colStride !== 1 || typeof rowStride !== "number" || !Number.isInteger(rowStride) ||
    rowStride < shape[1]) {
    throw new SymmetricMemoryError(
      `view: expected contiguous strides [${contiguous.join(", ")}] or, for a 2-d view, [rowStride, 1] with an ` +
        `integer rowStride ≥ ${shape[1] ?? "the row length"}, found ${shown} for shape [${shape.join(", ")}]`,
    );
  }
  return [rowStride, 1];
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
