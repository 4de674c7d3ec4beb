/**
 * The shape, dtype and scalar checks of the fused async-TP ops (fused_all_gather_matmul,
 * fused_matmul_reduce_scatter) and the row layout their kernels compute in, over anything with a
 * shape and a dtype, so the kernels (fused-all-gather-matmul.ts, fused-matmul-reduce-scatter.ts)
 * and the meta kernels (src/ops/meta/fused-meta.ts) refuse the same calls with the same messages.
 * The rules and their order are PyTorch's (torch/distributed/_symmetric_memory/__init__.py:
 * `_fused_all_gather_matmul_impl`, `_fused_matmul_reduce_scatter_impl` and their fallbacks), with
 * PyTorch's phrase first in each message and then what was expected and found.
 */
import { numelOf, type DType } from "../../core/dtype.ts";
import { quote } from "../../core/args.ts";
import { OpError } from "../../core/errors.ts";
import type { ReduceOp } from "../../core/reduce-op.ts";
import { MATMUL_DTYPES } from "../../backends/matmul.ts";
import type { TensorMeta } from "../../library/meta.ts";
import { sameDType } from "../shape-checks.ts";

/** The reduce ops fused_matmul_reduce_scatter takes, as PyTorch's ("reduce_op must be sum or avg"). */
export const FUSED_REDUCE_OPS: readonly ReduceOp[] = ["sum", "avg"];

/**
 * The rows of a flattened A (all dims but the last, row-major) that one chunk covers: `blocks` runs
 * of `rows` rows, run i starting at row `first + i * step` (blocks of consecutive rows).
 */
export interface RowRuns {
  /** Runs of the chunk (the product of the dims before the gather / scatter dim). */
  readonly blocks: number;
  /** Rows per run. */
  readonly rows: number;
}

/** What fused_all_gather_matmul computes, from the shapes (every rank finds the same). */
export interface GatherMatmulPlan {
  /** The group size. */
  readonly groupSize: number;
  /** True when gather_dim is A's last dim: the shards are column blocks, B's rows are split. */
  readonly lastDim: boolean;
  /** The shape of the gathered A (the first return). */
  readonly gatheredShape: readonly number[];
  /** The shape of each output, one per B. */
  readonly outShapes: readonly (readonly number[])[];
  /** Rows of the flattened shard (the product of A's dims but the last). */
  readonly shardRows: number;
  /** A's last dim (the contraction length of a shard). */
  readonly k: number;
  /** Columns of each B. */
  readonly ns: readonly number[];
  /** A shard's rows inside the gathered rows: `blocks` runs of `rows` (gather_dim before the last). */
  readonly runs: RowRuns;
  /** The dtype of A, of every B and of the outputs. */
  readonly dtype: DType;
}

/** What fused_matmul_reduce_scatter computes, from the shapes. */
export interface ScatterMatmulPlan {
  /** The group size. */
  readonly groupSize: number;
  /** True when scatter_dim is the last dim of A @ B: each rank gets a column block. */
  readonly lastDim: boolean;
  /** The shape of this rank's (every rank's) output. */
  readonly outShape: readonly number[];
  /** Elements of the output, and of each chunk a rank computes for a peer. */
  readonly chunkElements: number;
  /** Rows of the flattened A. */
  readonly rows: number;
  /** A's last dim. */
  readonly k: number;
  /** Columns of B (of A @ B). */
  readonly n: number;
  /** The rows of flattened A whose products go to one rank: `blocks` runs of `rows` (scatter_dim before the last). */
  readonly runs: RowRuns;
  /** Rows of flattened A between the starts of two runs of one chunk (the scatter dim's full extent). */
  readonly runStride: number;
  /** The dtype of A, B and the output. */
  readonly dtype: DType;
  /** "sum" or "avg". */
  readonly reduceOp: ReduceOp;
}

const shapeText = (t: TensorMeta) => `[${t.shape.join(", ")}]`;

function checkMatmulDType(op: string, name: string, t: TensorMeta): void {
  if (!(MATMUL_DTYPES as readonly string[]).includes(t.dtype)) {
    throw new OpError(`${op}: argument "${name}" expected a dtype of ${MATMUL_DTYPES.join(", ")}, found ${t.dtype}`);
  }
}

function checkDim(op: string, name: string, value: unknown, ndim: number, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= ndim) {
    throw new OpError(`${op}: Invalid ${name}: expected a dim of A in [0, ${ndim - 1}] (${what}), found ${quote(value)}`);
  }
  return value;
}

function checkMatrixA(op: string, A: TensorMeta): void {
  if (A.shape.length < 2) {
    throw new OpError(`${op}: A_shard must be a matrix: expected argument "A" with at least 2 dims, found shape ${shapeText(A)}`);
  }
}

function checkMatrixB(op: string, name: string, B: TensorMeta): void {
  if (B.shape.length !== 2) {
    throw new OpError(`${op}: B must be a matrix: expected argument "${name}" with 2 dims, found shape ${shapeText(B)}`);
  }
}

/** B's rows must be the contraction length: PyTorch's mm message, then what was expected. */
function checkContraction(op: string, name: string, B: TensorMeta, m: number, k: number, of: string): void {
  if (B.shape[0] !== k) {
    throw new OpError(
      `${op}: mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${B.shape[0]}x${B.shape[1]}): ` +
        `argument "${name}" expected ${k} rows (${of}), found ${B.shape[0]}`,
    );
  }
}

/**
 * fused_all_gather_matmul's checks, in PyTorch's order (A at least 2-d, every B 2-d, gather_dim
 * in [0, A.dim()); then the dtypes and the contraction), and the layout of the result. gather_dim
 * = A's last dim is PyTorch's `_fused_all_gather_matmul_last_gather_dim_impl`: A is gathered
 * along its columns, so B has the gathered column count as rows.
 */
export function gatherMatmulPlan(
  op: string, A: TensorMeta, Bs: readonly TensorMeta[], gatherDim: unknown, groupSize: number,
): GatherMatmulPlan {
  checkMatrixA(op, A);
  Bs.forEach((B, i) => checkMatrixB(op, `Bs[${i}]`, B));
  const ndim = A.shape.length;
  const d = checkDim(op, "gather_dim", gatherDim, ndim, "the dim A's shards are gathered along");
  checkMatmulDType(op, "A", A);
  Bs.forEach((B, i) => sameDType(op, ["A", A], [`Bs[${i}]`, B]));
  const k = A.shape[ndim - 1];
  const shardRows = numelOf(A.shape.slice(0, -1));
  const lastDim = d === ndim - 1;
  const gatheredShape = A.shape.map((s, i) => (i === d ? s * groupSize : s));
  const kOfB = lastDim ? k * groupSize : k;
  const of = lastDim ? `the last dim of A × group size ${groupSize}: gather_dim is A's last dim` : "the last dim of A";
  const gatheredRows = lastDim ? shardRows : shardRows * groupSize;
  Bs.forEach((B, i) => checkContraction(op, `Bs[${i}]`, B, gatheredRows, kOfB, of));
  const leading = lastDim ? A.shape.slice(0, -1) : gatheredShape.slice(0, -1);
  const blocks = lastDim ? 1 : numelOf(A.shape.slice(0, d));
  return {
    groupSize, lastDim, gatheredShape, k, shardRows, dtype: A.dtype,
    outShapes: Bs.map((B) => [...leading, B.shape[1]]),
    ns: Bs.map((B) => B.shape[1]),
    runs: { blocks, rows: blocks === 0 ? 0 : shardRows / blocks },
  };
}

/**
 * fused_matmul_reduce_scatter's checks, in PyTorch's order (A at least 2-d, scatter_dim in
 * [0, A.dim()), B 2-d, reduce_op sum or avg; then the dtypes, the contraction, and that the
 * scattered dim divides by the group size), and the layout of the result.
 */
export function scatterMatmulPlan(
  op: string, A: TensorMeta, B: TensorMeta, reduceOp: unknown, scatterDim: unknown, groupSize: number,
): ScatterMatmulPlan {
  checkMatrixA(op, A);
  const ndim = A.shape.length;
  const d = checkDim(op, "scatter_dim", scatterDim, ndim, "the dim of A @ B that is scattered");
  checkMatrixB(op, "B", B);
  if (typeof reduceOp !== "string" || !(FUSED_REDUCE_OPS as readonly string[]).includes(reduceOp)) {
    throw new OpError(`${op}: reduce_op must be sum or avg: expected one of ${FUSED_REDUCE_OPS.join(", ")}, found ${quote(reduceOp)}`);
  }
  checkMatmulDType(op, "A", A);
  sameDType(op, ["A", A], ["B", B]);
  const k = A.shape[ndim - 1];
  const rows = numelOf(A.shape.slice(0, -1));
  checkContraction(op, "B", B, rows, k, "the last dim of A");
  const n = B.shape[1];
  const full = [...A.shape.slice(0, -1), n];
  const extent = full[d];
  if (extent % groupSize !== 0) {
    throw new OpError(
      `${op}: dim ${d} of A @ B (shape [${full.join(", ")}]) must be divisible by the group size ${groupSize} to be ` +
        `scattered: expected a multiple of ${groupSize}, found ${extent}`,
    );
  }
  const outShape = full.map((s, i) => (i === d ? s / groupSize : s));
  const lastDim = d === ndim - 1;
  const blocks = lastDim ? 1 : numelOf(A.shape.slice(0, d));
  const inner = lastDim ? 1 : numelOf(A.shape.slice(d + 1, -1));
  return {
    groupSize, lastDim, outShape, chunkElements: numelOf(outShape), rows, k, n, dtype: A.dtype,
    reduceOp: reduceOp as ReduceOp,
    runs: lastDim ? { blocks: 1, rows } : { blocks, rows: (extent / groupSize) * inner },
    runStride: lastDim ? rows : extent * inner,
  };
}
