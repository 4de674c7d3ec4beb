/**
 * `webshmem::mm(Tensor self, Tensor mat2) -> Tensor` and
 * `webshmem::mm.out(Tensor self, Tensor mat2, *, Tensor(a!) out) -> Tensor(a!)`: aten's matrix
 * product, for float32, float16 and bfloat16 (float32 accumulation), over the backend's matmul
 * capability (`Backend.matmul`), so any backend that has one runs it. Operands may be the
 * backend's tensors or symmetric tensors of any group, strided tiles included (this rank's copy);
 * mm's result is a new tensor of the backend, mm.out's `out` must have the result's shape (no
 * resize, unlike aten) and must not share memory with an operand.
 */
import type { Tensor } from "../../backends/backend.ts";
import { matmulerOf } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { matricesOverlap, matrixOf, type MatrixRef } from "../../backends/matmul.ts";
import { OpError } from "../../core/errors.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkMm, checkMmOut } from "../meta/webshmem-meta.ts";

/** The op's name and the rank, for messages: "webshmem::mm on rank 2". */
function where(ctx: OpContext): string {
  return `${ctx.schema.qualifiedName} on rank ${ctx.rank.rank}`;
}

/** mm: out = self · mat2, a new tensor of the op's backend. */
export async function mm(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const self = args.self as Tensor;
  const mat2 = args.mat2 as Tensor;
  const shape = checkMm(where(ctx), self, mat2);
  const matmul = matmulerOf(ctx.backend, ctx.rank, ctx.schema.qualifiedName);
  const out = ctx.backend.createTensor(ctx.rank, shape, self.dtype);
  try {
    await matmul.mm({ a: matrixOf(self), b: matrixOf(mat2), out: matrixOf(out) });
  } catch (e) {
    ctx.backend.dispose(ctx.rank, out);
    throw e;
  }
  return out;
}

/** mm.out: `out` = self · mat2, returned. */
export async function mmOut(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const self = args.self as Tensor;
  const mat2 = args.mat2 as Tensor;
  const out = args.out as Tensor;
  const at = where(ctx);
  checkMmOut(at, self, mat2, out);
  const job = { a: matrixOf(self), b: matrixOf(mat2), out: matrixOf(out) };
  for (const [name, m] of [["self", job.a], ["mat2", job.b]] as [string, MatrixRef][]) {
    if (matricesOverlap(job.out, m)) {
      throw new OpError(`${at}: argument "out" expected memory disjoint from "${name}", found the two overlapping`);
    }
  }
  await matmulerOf(ctx.backend, ctx.rank, ctx.schema.qualifiedName).mm(job);
  return out;
}
