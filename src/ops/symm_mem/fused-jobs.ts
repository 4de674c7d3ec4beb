/**
 * What the two fused kernels share: matmul jobs over runs of rows of a flattened tensor, copying a
 * tensor into the heap, and waiting for a batch of matmuls that are all in flight at once.
 */
import type { OpContext } from "../../backends/context.ts";
import type { MatmulJob, Matmuler, MatrixRef, RegularTensor, Tensor } from "../../backends/backend.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { OpError } from "../../core/errors.ts";
import { checkContiguous } from "./checks.ts";

/**
 * One matrix of a run: `rows` rows of `cols` elements of `tensor`, the first at row `row` of a
 * row-major matrix whose rows are `stride` elements long; `step` rows of that matrix between
 * consecutive rows of this one (1: back to back).
 */
export function rowsOf(tensor: Tensor, row: number, rows: number, cols: number, stride: number, step = 1): MatrixRef {
  return { tensor, offset: row * stride, rows, cols, rowStride: step * stride };
}

/**
 * Rows of several matrices that go together (say of A and of the output): `rows` rows, row r of
 * matrix j at row `at[j] + r * steps[j]` of that matrix.
 */
export interface Run {
  /** Rows in the run. */
  readonly rows: number;
  /** The first row of the run in each matrix. */
  readonly at: readonly number[];
  /** Rows of each matrix between consecutive rows of the run (1: back to back). */
  readonly steps: readonly number[];
}

/**
 * `blocks` runs of `rows` consecutive rows, run i starting at rows `starts(i)`. Single-row runs
 * become one strided run (one matmul job instead of one per row), since they are evenly spaced.
 */
export function runsOf(blocks: number, rows: number, starts: (i: number) => readonly number[]): Run[] {
  if (blocks === 0 || rows === 0) return [];
  if (rows === 1 && blocks > 1) {
    const [s0, s1] = [starts(0), starts(1)];
    return [{ rows: blocks, at: s0, steps: s0.map((s, j) => s1[j] - s) }];
  }
  return Array.from({ length: blocks }, (_, i) => {
    const at = starts(i);
    return { rows, at, steps: at.map(() => 1) };
  });
}

/** Skips jobs with nothing to compute: out is zeros already (a new tensor) or empty. */
export function hasWork(job: MatmulJob): boolean {
  return job.a.rows > 0 && job.b.cols > 0 && job.a.cols > 0;
}

/**
 * Starts every job at once (on webgpu the device works while the host goes on) and resolves when
 * all have settled, rejecting with the first failure only after the others have settled too, so
 * nothing still writes when the op unwinds.
 */
export async function runAll(mm: Matmuler, jobs: readonly MatmulJob[]): Promise<void> {
  await settleAll(jobs.filter(hasWork).map((job) => mm.mm(job)));
}

/** Awaits every promise; rethrows the first rejection after all have settled. */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/** A contiguous tensor argument: a backend's tensor, or a contiguous symmetric one. */
export function contiguousArg(ctx: OpContext, name: string, t: Tensor): Tensor {
  if (t instanceof SymmetricTensor) checkContiguous(ctx, name, t);
  return t;
}

/** Copies the elements of `src` (a backend tensor or a contiguous symmetric one) into `dst`, this rank's heap. */
export async function copyToHeap(ctx: OpContext, src: Tensor, dst: SymmetricTensor): Promise<void> {
  if (src.nbytes !== dst.nbytes) {
    throw new OpError(`${ctx.schema.qualifiedName}: internal: copying ${src.nbytes} bytes into a heap region of ${dst.nbytes}`);
  }
  if (src.nbytes === 0) return;
  if (src instanceof SymmetricTensor) dst.bytes.set(src.bytes);
  else await ctx.backend.toHeap(ctx.rank, src, dst);
}

/**
 * Runs `body` with the op's new output tensors; if it fails, they are disposed (on webgpu their
 * GPUBuffers) before the error goes on, so a failed call leaves nothing allocated behind it.
 */
export async function disposingOnFailure<R>(ctx: OpContext, outputs: readonly RegularTensor[], body: () => Promise<R>): Promise<R> {
  try {
    return await body();
  } catch (e) {
    for (const t of outputs) ctx.backend.dispose(ctx.rank, t);
    throw e;
  }
}
