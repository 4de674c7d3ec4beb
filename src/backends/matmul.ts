/**
 * The matmul capability: an optional part of the backend contract (`backend.matmul?(rank)`), so
 * kernels (webshmem::mm, the fused ops) multiply matrices without knowing the backend. A matrix
 * is a 2-D row-major window of a tensor: a backend's regular tensor, or a symmetric tensor of any
 * group (read and written through this rank's copy in the heap).
 */
import { itemsize } from "../core/dtype.ts";
import { OpError } from "../core/errors.ts";
import type { RegularTensor } from "../core/tensor.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";

/** A 2-D row-major matrix inside a tensor: a tensor of the backend, or a SymmetricTensor (heap, any group). */
export interface MatrixRef {
  /** The tensor that holds the elements (the same union as `Tensor` in backend.ts). */
  readonly tensor: RegularTensor | SymmetricTensor;
  /** Element offset of element (0,0) in the tensor; default 0. */
  readonly offset?: number;
  /** Rows of the matrix. */
  readonly rows: number;
  /** Columns of the matrix. */
  readonly cols: number;
  /** Elements between row starts; default `cols`. */
  readonly rowStride?: number;
}

/** out = a · b (a: m×k, b: k×n, out: m×n), all the same dtype; float32 accumulation for float16/bfloat16. */
export interface MatmulJob {
  /** The left operand, m × k. */
  readonly a: MatrixRef;
  /** The right operand, k × n. */
  readonly b: MatrixRef;
  /** The result, m × n: written, never read; it must not share memory with `a` or `b`. */
  readonly out: MatrixRef;
}

/** What `backend.matmul(rank)` returns: one rank's matrix multiplier on that backend. */
export interface Matmuler {
  /**
   * Computes `job.out = job.a · job.b`. Resolves when `out` holds the result: a heap `out` is
   * written in this rank's slab; a backend tensor is written in queue order (read it as usual).
   * Rejects with an OpError for a job `checkMatmulJob` refuses.
   */
  mm(job: MatmulJob): Promise<void>;
}

/** The element types the matmul capability takes (float32 accumulation for the 16-bit ones). */
export const MATMUL_DTYPES = ["float32", "float16", "bfloat16"] as const;

/** One of MATMUL_DTYPES. */
export type MatmulDType = (typeof MATMUL_DTYPES)[number];

/** A MatrixRef with its defaults filled in, as the backends use it. */
export interface MatrixLayout {
  /** The tensor that holds the elements. */
  readonly tensor: RegularTensor | SymmetricTensor;
  /** Element offset of element (0,0) in the tensor. */
  readonly offset: number;
  /** Rows of the matrix. */
  readonly rows: number;
  /** Columns of the matrix. */
  readonly cols: number;
  /** Elements between row starts. */
  readonly rowStride: number;
  /** Elements from element (0,0) to just past the last element (0 when the matrix is empty). */
  readonly span: number;
}

/** Elements a tensor holds from its first element on: `numel`, or a strided view's span. */
export function elementsOf(t: RegularTensor | SymmetricTensor): number {
  return t instanceof SymmetricTensor ? t.spanBytes / itemsize(t.dtype) : t.numel;
}

/**
 * The MatrixRef of a 2-d tensor: all of it, with a strided symmetric view's row stride
 * (SymmetricTensor.tile). Throws an OpError naming `what` for a tensor that is not 2-d.
 */
export function matrixOf(t: RegularTensor | SymmetricTensor, what = "matrixOf"): MatrixRef {
  if (t.shape.length !== 2) {
    throw new OpError(`${what}: expected a 2-d tensor, found shape [${t.shape.join(", ")}]`);
  }
  const [rows, cols] = t.shape;
  const rowStride = t instanceof SymmetricTensor ? t.strides[0] : cols;
  return { tensor: t, rows, cols, rowStride };
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function layoutOf(ref: MatrixRef, name: string, where: string): MatrixLayout {
  const { tensor, rows, cols } = ref;
  const offset = ref.offset ?? 0;
  const rowStride = ref.rowStride ?? cols;
  for (const [field, v] of [["rows", rows], ["cols", cols], ["offset", offset], ["rowStride", rowStride]] as const) {
    if (!isCount(v)) throw new OpError(`${where}: ${name}.${field} expected a non-negative integer, found ${String(v)}`);
  }
  if (rowStride < cols && rows > 1) {
    throw new OpError(`${where}: ${name}.rowStride expected at least cols (${cols}) so rows do not overlap, found ${rowStride}`);
  }
  if (tensor instanceof SymmetricTensor) tensor.assertLive(`${where}: ${name}`);
  const span = rows === 0 || cols === 0 ? 0 : (rows - 1) * rowStride + cols;
  const have = elementsOf(tensor);
  if (offset + span > have) {
    throw new OpError(
      `${where}: ${name} (${rows} × ${cols}, row stride ${rowStride}, offset ${offset}) expected at most ${have} ` +
        `elements of its ${tensor.dtype}[${tensor.shape.join(", ")}] tensor, found it reaching element ${offset + span}`,
    );
  }
  return { tensor, offset, rows, cols, rowStride, span };
}

/** Byte range [start, end) of a matrix in its memory (the slab for a symmetric tensor). */
function byteRange(m: MatrixLayout): [number, number] {
  const size = itemsize(m.tensor.dtype);
  const base = m.tensor instanceof SymmetricTensor ? m.tensor.byteOffset : 0;
  return [base + m.offset * size, base + (m.offset + m.span) * size];
}

/**
 * True when the two matrices may share bytes: the same tensor memory (one regular tensor, or
 * one rank's slab) and overlapping ranges from first to last element.
 */
export function matricesOverlap(x: MatrixRef, y: MatrixRef): boolean {
  return mayOverlap(layoutOf(x, "x", "matricesOverlap"), layoutOf(y, "y", "matricesOverlap"));
}

function mayOverlap(x: MatrixLayout, y: MatrixLayout): boolean {
  if (x.span === 0 || y.span === 0) return false;
  const sameMemory = x.tensor instanceof SymmetricTensor && y.tensor instanceof SymmetricTensor
    ? x.tensor.slab === y.tensor.slab
    : x.tensor === y.tensor;
  if (!sameMemory) return false;
  const [x0, x1] = byteRange(x);
  const [y0, y1] = byteRange(y);
  return x0 < y1 && y0 < x1;
}

/** A checked job: every matrix with its defaults, the sizes and the dtype. */
export interface CheckedMatmul {
  readonly a: MatrixLayout;
  readonly b: MatrixLayout;
  readonly out: MatrixLayout;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly dtype: MatmulDType;
}

/**
 * Checks a job (the backends call it first): sizes that fit (a m×k, b k×n, out m×n), one dtype
 * from MATMUL_DTYPES, every matrix inside its tensor, `out` disjoint from `a` and `b`. Each
 * refusal is an OpError starting with `where` (e.g. "cpu matmul on rank 0") that says what was
 * expected and what was found.
 */
export function checkMatmulJob(job: MatmulJob, where: string): CheckedMatmul {
  const a = layoutOf(job.a, "a", where);
  const b = layoutOf(job.b, "b", where);
  const out = layoutOf(job.out, "out", where);
  const dtype = a.tensor.dtype;
  if (!(MATMUL_DTYPES as readonly string[]).includes(dtype)) {
    throw new OpError(`${where}: expected a dtype of ${MATMUL_DTYPES.join(", ")}, found ${dtype}`);
  }
  for (const [name, t] of [["b", b], ["out", out]] as const) {
    if (t.tensor.dtype !== dtype) throw new OpError(`${where}: ${name} expected dtype ${dtype} (the dtype of a), found ${t.tensor.dtype}`);
  }
  if (b.rows !== a.cols) {
    throw new OpError(`${where}: b expected ${a.cols} rows (the columns of a, ${a.rows} × ${a.cols}), found ${b.rows}`);
  }
  if (out.rows !== a.rows || out.cols !== b.cols) {
    throw new OpError(`${where}: out expected ${a.rows} × ${b.cols} (a is ${a.rows} × ${a.cols}, b ${b.rows} × ${b.cols}), ` +
      `found ${out.rows} × ${out.cols}`);
  }
  for (const [name, t] of [["a", a], ["b", b]] as const) {
    if (mayOverlap(out, t)) throw new OpError(`${where}: out expected memory disjoint from ${name}, found the two overlapping`);
  }
  return { a, b, out, m: a.rows, k: a.cols, n: b.cols, dtype: dtype as MatmulDType };
}
