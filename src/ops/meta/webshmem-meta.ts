/**
 * Meta kernels of the built-in `webshmem` ops, keyed by op name without namespace (the keys of
 * WEBSHMEM_OPS in src/ops/webshmem/definitions.ts), which registers them with each op. The mm
 * checks are also the kernels' (src/ops/webshmem/mm.ts), which name the rank as well.
 */
import { OpError } from "../../core/errors.ts";
import { tensorMeta, type MetaContext, type MetaKernel, type TensorMeta } from "../../library/meta.ts";
import { checkReduction, checkShape, groupSizeOf, opName, sameDType, tensor, type Args } from "../shape-checks.ts";

/** host_all_reduce_: in place, so it returns `input`; the kernel checks the reduce op and dtype. */
function hostAllReduce(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return input;
}

/** The dtypes mm takes (the backends' matmul capability: float32 accumulation for the 16-bit ones). */
export const MM_DTYPES: readonly string[] = ["float32", "float16", "bfloat16"];

function check2d(op: string, name: string, t: TensorMeta): void {
  if (t.shape.length !== 2) {
    throw new OpError(`${op}: argument "${name}" expected a 2-d tensor (a matrix), found ${t.shape.length}-d shape [${t.shape.join(", ")}]`);
  }
}

/**
 * mm's checks, for `op` (the op's name; the kernels add "on rank N"): self and mat2 2-d, of one
 * dtype from MM_DTYPES, self's columns equal to mat2's rows. Returns out's shape [m, n].
 */
export function checkMm(op: string, self: TensorMeta, mat2: TensorMeta): [number, number] {
  check2d(op, "self", self);
  check2d(op, "mat2", mat2);
  if (!MM_DTYPES.includes(self.dtype)) {
    throw new OpError(`${op}: argument "self" expected one of the dtypes ${MM_DTYPES.join(", ")}, found ${self.dtype}`);
  }
  sameDType(op, ["self", self], ["mat2", mat2]);
  const [m, k] = self.shape;
  const [k2, n] = mat2.shape;
  if (k !== k2) {
    throw new OpError(`${op}: self and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n}): argument "mat2" ` +
      `expected ${k} rows (the columns of "self"), found ${k2}`);
  }
  return [m, n];
}

/** mm.out's checks: mm's, and `out` of self's dtype and shape [m, n]. */
export function checkMmOut(op: string, self: TensorMeta, mat2: TensorMeta, out: TensorMeta): [number, number] {
  const [m, n] = checkMm(op, self, mat2);
  sameDType(op, ["self", self], ["out", out]);
  checkShape(op, "out", out, [m, n], `the rows of "self" × the columns of "mat2"`);
  return [m, n];
}

/** mm: a new m × n tensor of self's dtype. */
function mm(args: Args, ctx: MetaContext): TensorMeta {
  const self = tensor(args, "self");
  return tensorMeta(checkMm(opName(ctx), self, tensor(args, "mat2")), self.dtype);
}

/** mm.out: returns `out` itself (Tag.out). */
function mmOut(args: Args, ctx: MetaContext): TensorMeta {
  const out = tensor(args, "out");
  checkMmOut(opName(ctx), tensor(args, "self"), tensor(args, "mat2"), out);
  return out;
}

/** Op name (without `webshmem::`) → meta kernel; one entry per op of WEBSHMEM_OPS. */
export const WEBSHMEM_METAS: Readonly<Record<string, MetaKernel>> = Object.freeze({
  host_all_reduce_: hostAllReduce,
  mm,
  "mm.out": mmOut,
});
