/**
 * The shape, dtype and scalar checks of the built-in ops, over anything with a shape and a dtype
 * (a tensor or a TensorMeta), so the kernels (src/ops/symm_mem/) and the meta kernels
 * (src/ops/meta/) reject exactly the same calls with the same messages. Nothing here reads memory.
 */
import { numelOf, type DType } from "../core/dtype.ts";
import { OpError } from "../core/errors.ts";
import type { RegionOptions } from "../heap/peer-regions.ts";
import type { MetaContext, TensorMeta } from "../library/meta.ts";

import { checkReduction } from "../core/reduce-op.ts";

export { checkDType, checkReduction, COLLECTIVE_DTYPES, REDUCE_OPS } from "../core/reduce-op.ts";

export type Args = Readonly<Record<string, unknown>>;
/** The dtype of split and offset tensors (PyTorch's int64; WebGPU has no 64-bit integers). */
export const SPLITS_DTYPE: DType = "int32";

/** The op's qualified name, for messages. */
export function opName(ctx: MetaContext): string {
  return ctx.schema.qualifiedName;
}

/** A bound Tensor argument (the binder checked it is one). */
export function tensor(args: Args, name: string): TensorMeta {
  return args[name] as TensorMeta;
}

export function numel(t: TensorMeta): number {
  return numelOf(t.shape);
}

/** The size of the op's group; throws (through the context) for an unknown group. */
export function groupSizeOf(args: Args, ctx: MetaContext): number {
  return ctx.groupSize(args.group_name as string);
}

/** As the kernels' describeTensor: "a symmetric float32[4] tensor of group "world"", "a cpu int32[2] tensor". */
export function describeTensor(t: unknown): string {
  const r = t as { shape?: unknown; dtype?: unknown; backend?: unknown; group?: { name?: unknown } } | null;
  if (r === null || typeof r !== "object" || typeof r.dtype !== "string" || !Array.isArray(r.shape)) return String(t);
  const dims = `${r.dtype}[${r.shape.join(", ")}]`;
  if (typeof r.group === "object" && r.group !== null && typeof r.group.name === "string" && r.backend === undefined) {
    return `a symmetric ${dims} tensor of group "${r.group.name}"`;
  }
  return `a ${typeof r.backend === "string" ? r.backend : "regular"} ${dims} tensor`;
}

export function sameDType(op: string, a: readonly [string, TensorMeta], b: readonly [string, TensorMeta]): void {
  if (a[1].dtype !== b[1].dtype) {
    throw new OpError(`${op}: argument "${b[0]}" expected dtype ${a[1].dtype} (the dtype of "${a[0]}"), found ${b[1].dtype}`);
  }
}

/** `out` must hold exactly `count` elements (`of` says where that number comes from) and, when `shape` is given, have it. */
export function checkOut(op: string, name: string, out: TensorMeta, count: number, of: string, shape?: readonly number[]): void {
  const n = numel(out);
  if (n < count) throw new OpError(`${op}: argument "${name}" is too small: expected ${count} elements (${of}), found ${n}`);
  if (n > count) throw new OpError(`${op}: argument "${name}" is too large: expected ${count} elements (${of}), found ${n}`);
  if (shape !== undefined && shape.join() !== out.shape.join()) {
    throw new OpError(`${op}: argument "${name}" expected shape [${shape.join(", ")}] (${of}), found [${out.shape.join(", ")}]`);
  }
}

export function checkRoot(op: string, root: unknown, group: string, size: number): number {
  if (typeof root !== "number" || !Number.isInteger(root) || root < 0 || root >= size) {
    throw new OpError(`${op}: argument "root" expected a rank of group "${group}" in [0, ${size - 1}], found ${String(root)}`);
  }
  return root;
}

/** Input and output of a collective that moves rows: at least 1-d, one dtype, one row length (stride of dim 0). */
export function checkRows(op: string, a: readonly [string, TensorMeta], b: readonly [string, TensorMeta]): void {
  for (const [name, t] of [a, b]) {
    if (t.shape.length === 0) throw new OpError(`${op}: argument "${name}" expected at least 1 dimension, found a 0-d tensor`);
  }
  sameDType(op, a, b);
  const row = (t: TensorMeta) => numelOf(t.shape.slice(1));
  if (row(a[1]) !== row(b[1])) {
    throw new OpError(
      `${op}: argument "${b[0]}" expected rows of ${row(a[1])} elements (the stride of dim 0 of "${a[0]}", ` +
        `shape [${a[1].shape.join(", ")}]), found ${row(b[1])} (shape [${b[1].shape.join(", ")}])`,
    );
  }
}

export function checkSplitsDType(op: string, name: string, t: TensorMeta): void {
  if (t.dtype !== SPLITS_DTYPE) {
    throw new OpError(`${op}: argument "${name}" expected dtype ${SPLITS_DTYPE} (splits and offsets), found ${t.dtype}`);
  }
}

export function checkShape(op: string, name: string, t: TensorMeta, shape: readonly number[], why: string): void {
  if (shape.join() !== t.shape.join() || shape.length !== t.shape.length) {
    throw new OpError(`${op}: argument "${name}" expected shape [${shape.join(", ")}] (${why}), found [${t.shape.join(", ")}]`);
  }
}

export function checkTile(op: string, name: string, t: TensorMeta): void {
  if (t.shape.length !== 2) throw new OpError(`${op}: argument "${name}" expected a 2-d tile, found shape [${t.shape.join(", ")}]`);
}

/**
 * What rank `rank` of `world` reduces: split_last_dim false → the contiguous slice r of the
 * flattened input; true → the r-th chunk of the last dim of every row (a strided region).
 * Non-divisible sizes are an error, as in PyTorch.
 */
export function scatterPart(
  op: string, shape: readonly number[], numel: number, world: number, rank: number, splitLastDim: boolean,
): RegionOptions & { count: number } {
  if (!splitLastDim) {
    if (numel % world !== 0) {
      throw new OpError(
        `${op}: argument "input" has ${numel} elements, which is not divisible by the group size ${world}: ` +
          `expected a multiple of ${world}`,
      );
    }
    const count = numel / world;
    return { elementOffset: rank * count, count };
  }
  if (shape.length === 0) {
    throw new OpError(`${op}: split_last_dim needs an input with at least one dimension, found a 0-d tensor`);
  }
  const last = shape[shape.length - 1];
  if (last % world !== 0) {
    throw new OpError(
      `${op}: the last dim of argument "input" (shape [${shape.join(", ")}]) is ${last}, which is not divisible ` +
        `by the group size ${world}: expected a multiple of ${world}`,
    );
  }
  const chunk = last / world;
  const count = last === 0 ? 0 : (numel / last) * chunk;
  return { elementOffset: rank * chunk, count, rows: chunk === 0 ? undefined : { rowLength: chunk, rowStride: last } };
}

const U32_MAX = 0xffffffff;

/** A flat, contiguous uint32 tensor, as PyTorch's u32 writes demand (every tensor here is contiguous). */
export function checkFlatU32(op: string, input: TensorMeta): void {
  if (input.dtype !== "uint32" || input.shape.length !== 1) {
    throw new OpError(`${op}: input must be a flat, contiguous uint32 tensor; found ${describeTensor(input)}`);
  }
}

function checkOffset(op: string, offset: number): void {
  if (offset < 0) throw new OpError(`${op}: offset must be greater than or equal to 0, found ${offset}`);
}

function checkVal(op: string, val: number): void {
  if (val < 0 || val > U32_MAX) throw new OpError(`${op}: val must be in the range of uint32 ([0, ${U32_MAX}]), found ${val}`);
}

/** stream_write_value32_'s checks, with PyTorch's messages. */
export function checkStreamWrite(op: string, input: TensorMeta, offset: number, val: number): void {
  checkFlatU32(op, input);
  checkOffset(op, offset);
  if (offset >= numel(input)) {
    throw new OpError(`${op}: offset must be less than the numel of the input (${numel(input)}), found ${offset}`);
  }
  checkVal(op, val);
}

/** memset32_'s checks, with PyTorch's messages. */
export function checkMemset(op: string, input: TensorMeta, offset: number, val: number, count: number): void {
  checkFlatU32(op, input);
  checkOffset(op, offset);
  checkVal(op, val);
  if (count <= 0) throw new OpError(`${op}: count must be a positive integer, found ${count}`);
  if (offset + count > numel(input)) {
    throw new OpError(
      `${op}: offset + count exceeded the numel of the input: ${offset} + ${count} = ${offset + count} > ${numel(input)}`,
    );
  }
}

/** An `out` like `input`: the same dtype, exactly its element count and shape (the `_out` all-reduces). */
export function checkOutLike(op: string, name: string, out: TensorMeta, input: TensorMeta, of: string): void {
  sameDType(op, ["input", input], [name, out]);
  checkOut(op, name, out, numel(input), of, input.shape);
}

/** one_shot_all_reduce_copy(_out): local_input fits in symm_buffer, one dtype, a reduce op for it. */
export function checkStageCopy(
  op: string, buffer: TensorMeta, local: TensorMeta, reduceOp: unknown,
): ReturnType<typeof checkReduction> {
  sameDType(op, ["symm_buffer", buffer], ["local_input", local]);
  // The dtype's argument is named "input" here too (checkReduction's default).
  const r = checkReduction(op, reduceOp, buffer.dtype);
  if (numel(local) > numel(buffer)) {
    throw new OpError(
      `${op}: argument "symm_buffer" is too small: expected at least ${numel(local)} elements ` +
        `(the numel of local_input), found ${numel(buffer)}`,
    );
  }
  return r;
}

/** one_shot_all_reduce_copy_out's `out`: like local_input. */
export function checkCopyOut(op: string, out: TensorMeta, local: TensorMeta): void {
  sameDType(op, ["local_input", local], ["out", out]);
  checkOut(op, "out", out, numel(local), "the shape of local_input", local.shape);
}
