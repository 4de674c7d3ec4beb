/**
 * Meta kernels of the built-in `symm_mem` ops, keyed by op name without namespace (the names of
 * SYMM_MEM_OPS in src/ops/symm_mem/definitions.ts). Each checks what its kernel checks of shapes,
 * dtypes and scalars, in the kernel's order and with its messages, then returns the outputs:
 * a new TensorMeta for a `Tensor` return, the argument itself for an `(a!)` return, undefined
 * for `()`. definitions.ts registers each with its op (`define(schema, { meta })`).
 *
 * The `_out` kernels check `out`'s element count; where their schema promises a shape they also
 * check it (all-reduce: the shape of input). all-gather and reduce-scatter check only the count,
 * so their metas do too; `allGatherOutShape` and `reduceScatterOutShape` give the shapes the
 * high-level API allocates. The all-to-all and tile ops have no kernels yet: their metas apply
 * PyTorch's checks (torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu), with int32
 * splits and offsets, and every reduce op of ops.md.
 */
import { OpError } from "../../core/errors.ts";
import { tensorMeta, type MetaContext, type MetaKernel, type TensorMeta } from "../../library/meta.ts";
import {
  checkOut, checkReduction, checkRoot, checkRows, checkShape, checkSplitsDType, checkTile, describeTensor,
  groupSizeOf, numel, opName, sameDType, tensor, type Args, scatterPart,
} from "../shape-checks.ts";

/** A new tensor like `t`: what one_shot_all_reduce returns (PyTorch's meta: empty_like(input)). */
function like(t: TensorMeta): TensorMeta {
  return tensorMeta(t.shape, t.dtype);
}

function oneShotAllReduce(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return like(input);
}

/** The kernels' outArg: same dtype as input, exactly input's element count and shape. */
function outLikeInput(op: string, args: Args, name: string, input: TensorMeta): TensorMeta {
  const out = tensor(args, name);
  sameDType(op, ["input", input], [name, out]);
  checkOut(op, name, out, numel(input), "the shape of input", input.shape);
  return out;
}

function oneShotAllReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  return outLikeInput(op, args, "out", input);
}

/** The kernels' stageCopy: local_input fits in symm_buffer, one dtype. */
function stageCopy(args: Args, ctx: MetaContext): { buffer: TensorMeta; local: TensorMeta } {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const buffer = tensor(args, "symm_buffer");
  const local = tensor(args, "local_input");
  sameDType(op, ["symm_buffer", buffer], ["local_input", local]);
  // The kernel names the dtype's argument "input" here too (checkReduction's default).
  checkReduction(op, args.reduce_op, buffer.dtype);
  if (numel(local) > numel(buffer)) {
    throw new OpError(
      `${op}: argument "symm_buffer" is too small: expected at least ${numel(local)} elements ` +
        `(the numel of local_input), found ${numel(buffer)}`,
    );
  }
  return { buffer, local };
}

function oneShotAllReduceCopy(args: Args, ctx: MetaContext): TensorMeta {
  return like(stageCopy(args, ctx).local);
}

function oneShotAllReduceCopyOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const { local } = stageCopy(args, ctx);
  const out = tensor(args, "out");
  sameDType(op, ["local_input", local], ["out", out]);
  checkOut(op, "out", out, numel(local), "the shape of local_input", local.shape);
  return out;
}

function allReduceInPlace(args: Args, ctx: MetaContext): TensorMeta {
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(opName(ctx), args.reduce_op, input.dtype);
  return input;
}

function twoShotAllReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  return outLikeInput(op, args, "output", input);
}

function oneShotReduceOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, args.reduce_op, input.dtype);
  checkRoot(op, args.root, args.group_name as string, size);
  return outLikeInput(op, args, "out", input);
}

/** The shape the high-level allGather allocates: dim 0 times the group size ([size] for a 0-d input). */
export function allGatherOutShape(shape: readonly number[], groupSize: number): number[] {
  return shape.length === 0 ? [groupSize] : [shape[0] * groupSize, ...shape.slice(1)];
}

function allGatherOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  const out = tensor(args, "out");
  sameDType(op, ["input", input], ["out", out]);
  checkOut(op, "out", out, numel(input) * size, `the numel of input × group size ${size}`);
  return out;
}

/**
 * The element count of this rank's part (every rank's is the same), with the kernel's
 * divisibility errors: split_last_dim false splits the flattened input, true the last dim.
 */
export function reduceScatterCount(op: string, shape: readonly number[], size: number, splitLastDim: boolean): number {
  return scatterPart(op, shape, shape.reduce((a, d) => a * d, 1), size, 0, splitLastDim).count;
}

/**
 * The shape the high-level reduceScatter allocates: the last dim divided (split_last_dim), else
 * dim 0 divided when it divides, else flat. Throws the kernel's divisibility errors.
 */
export function reduceScatterOutShape(op: string, shape: readonly number[], size: number, splitLastDim: boolean): number[] {
  const count = reduceScatterCount(op, shape, size, splitLastDim);
  if (splitLastDim) return [...shape.slice(0, -1), shape[shape.length - 1] / size];
  if (shape.length > 0 && shape[0] % size === 0) return [shape[0] / size, ...shape.slice(1)];
  return [count];
}

function reduceScatterOut(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  checkReduction(op, "sum", input.dtype);
  const count = reduceScatterCount(op, input.shape, size, args.split_last_dim === true);
  const output = tensor(args, "output");
  sameDType(op, ["input", input], ["output", output]);
  checkOut(op, "output", output, count, `the numel of input / ${size}`);
  return output;
}

/** all_to_all_vdev: in_splits[p] rows go to rank p; out_splits_offsets gets [received splits; offsets]. */
function allToAllVdev(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const group = args.group_name as string;
  checkRows(op, ["input", tensor(args, "input")], ["out", tensor(args, "out")]);
  const inSplits = tensor(args, "in_splits");
  const outSplits = tensor(args, "out_splits_offsets");
  checkSplitsDType(op, "in_splits", inSplits);
  checkSplitsDType(op, "out_splits_offsets", outSplits);
  if (numel(inSplits) !== size) {
    throw new OpError(
      `${op}: argument "in_splits" expected ${size} elements (one split per rank of group "${group}"), found ${numel(inSplits)}`,
    );
  }
  checkShape(op, "out_splits_offsets", outSplits, [2, size], `splits and offsets for each rank of group "${group}"`);
  return undefined;
}

/** The 2-d all-to-alls have group size × experts splits; `name` is the tensor that gives their number. */
function checkNSplits(op: string, name: string, nsplits: number, size: number, shape: readonly number[]): void {
  if (nsplits % size !== 0) {
    throw new OpError(
      `${op}: argument "${name}" (shape [${shape.join(", ")}]) has ${nsplits} splits, which is not divisible by the ` +
        `group size ${size}: expected group size × experts`,
    );
  }
}

/** all_to_all_vdev_2d (MoE dispatch): in_splits is 1-d, rank-major, world × experts long. */
function allToAllVdev2d(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const align = args.major_align;
  if (align !== null && (align as number) <= 0) {
    throw new OpError(`${op}: argument "major_align" must be positive, found ${String(align)}`);
  }
  checkRows(op, ["input", tensor(args, "input")], ["out", tensor(args, "out")]);
  const inSplits = tensor(args, "in_splits");
  const outSplits = tensor(args, "out_splits_offsets");
  checkSplitsDType(op, "in_splits", inSplits);
  checkSplitsDType(op, "out_splits_offsets", outSplits);
  if (inSplits.shape.length !== 1) {
    throw new OpError(`${op}: argument "in_splits" expected a 1-d tensor (group size × experts splits), found shape [${inSplits.shape.join(", ")}]`);
  }
  const nsplits = inSplits.shape[0];
  checkNSplits(op, "in_splits", nsplits, size, inSplits.shape);
  checkShape(op, "out_splits_offsets", outSplits, [2, nsplits], "splits and offsets, one column per split of in_splits");
  return undefined;
}

/** all_to_all_vdev_2d_offset (MoE combine): in_splits_offsets is [2, experts × world], expert-major. */
function allToAllVdev2dOffset(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  checkRows(op, ["input", tensor(args, "input")], ["out", tensor(args, "out")]);
  const inSplits = tensor(args, "in_splits_offsets");
  const outSplits = tensor(args, "out_splits_offsets");
  checkSplitsDType(op, "in_splits_offsets", inSplits);
  checkSplitsDType(op, "out_splits_offsets", outSplits);
  if (inSplits.shape.length !== 2 || inSplits.shape[0] !== 2) {
    throw new OpError(
      `${op}: argument "in_splits_offsets" expected shape [2, nsplits] (splits and offsets), found [${inSplits.shape.join(", ")}]`,
    );
  }
  const nsplits = inSplits.shape[1];
  checkNSplits(op, "in_splits_offsets", nsplits, size, inSplits.shape);
  checkShape(op, "out_splits_offsets", outSplits, [2, nsplits], "splits and offsets, one column per split of in_splits_offsets");
  return undefined;
}

/** tile_reduce: a 2-d tile reduced from every rank into out_tile on root. */
function tileReduce(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const inTile = tensor(args, "in_tile");
  const outTile = tensor(args, "out_tile");
  checkReduction(op, args.reduce_op, inTile.dtype, "in_tile");
  checkTile(op, "in_tile", inTile);
  checkTile(op, "out_tile", outTile);
  sameDType(op, ["in_tile", inTile], ["out_tile", outTile]);
  checkShape(op, "out_tile", outTile, inTile.shape, "the shape of in_tile");
  checkRoot(op, args.root, args.group_name as string, size);
  return undefined;
}

/** multi_root_tile_reduce: tile i reduced into out_tile on roots[i]; a rank is root at most once. */
function multiRootTileReduce(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const group = args.group_name as string;
  const tiles = args.in_tiles as readonly TensorMeta[];
  const roots = args.roots as readonly number[];
  const outTile = tensor(args, "out_tile");
  checkReduction(op, args.reduce_op, outTile.dtype, "out_tile");
  checkTile(op, "out_tile", outTile);
  if (roots.length !== tiles.length) {
    throw new OpError(`${op}: argument "roots" expected ${tiles.length} roots (one per tile of in_tiles), found ${roots.length}`);
  }
  tiles.forEach((tile, i) => {
    const name = `in_tiles[${i}]`;
    checkTile(op, name, tile);
    sameDType(op, ["out_tile", outTile], [name, tile]);
    checkShape(op, name, tile, outTile.shape, "the shape of out_tile");
  });
  const seen = new Map<number, number>();
  roots.forEach((root, i) => {
    if (root < 0 || root >= size) {
      throw new OpError(`${op}: argument "roots" expected ranks of group "${group}" in [0, ${size - 1}], found ${root} at index ${i}`);
    }
    const first = seen.get(root);
    if (first !== undefined) {
      throw new OpError(`${op}: argument "roots" lists rank ${root} at indices ${first} and ${i}: a rank is the root of at most one tile`);
    }
    seen.set(root, i);
  });
  return undefined;
}

function broadcast(args: Args, ctx: MetaContext): TensorMeta {
  const size = groupSizeOf(args, ctx);
  checkRoot(opName(ctx), args.root, args.group_name as string, size);
  return tensor(args, "input");
}

function getRemoteTensors(args: Args, ctx: MetaContext): TensorMeta[] {
  const size = groupSizeOf(args, ctx);
  const x = tensor(args, "x");
  return Array.from({ length: size }, () => like(x));
}

const U32_MAX = 0xffffffff;

/** The kernels' flatU32 and offset / val checks (PyTorch's messages). */
function flatU32(op: string, args: Args): TensorMeta {
  const input = tensor(args, "input");
  if (input.dtype !== "uint32" || input.shape.length !== 1) {
    throw new OpError(`${op}: input must be a flat, contiguous uint32 tensor; found ${describeTensor(input)}`);
  }
  return input;
}

function checkOffset(op: string, offset: number): void {
  if (offset < 0) throw new OpError(`${op}: offset must be greater than or equal to 0, found ${offset}`);
}

function checkVal(op: string, val: number): void {
  if (val < 0 || val > U32_MAX) throw new OpError(`${op}: val must be in the range of uint32 ([0, ${U32_MAX}]), found ${val}`);
}

function streamWriteValue32(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const input = flatU32(op, args);
  const offset = args.offset as number;
  checkOffset(op, offset);
  if (offset >= numel(input)) {
    throw new OpError(`${op}: offset must be less than the numel of the input (${numel(input)}), found ${offset}`);
  }
  checkVal(op, args.val as number);
  return input;
}

function memset32(args: Args, ctx: MetaContext): TensorMeta {
  const op = opName(ctx);
  const input = flatU32(op, args);
  const offset = args.offset as number;
  const count = args.count as number;
  checkOffset(op, offset);
  checkVal(op, args.val as number);
  if (count <= 0) throw new OpError(`${op}: count must be a positive integer, found ${count}`);
  if (offset + count > numel(input)) {
    throw new OpError(
      `${op}: offset + count exceeded the numel of the input: ${offset} + ${count} = ${offset + count} > ${numel(input)}`,
    );
  }
  return input;
}

/** Op name (without `symm_mem::`) → meta kernel; one entry per op of SYMM_MEM_OPS. */
export const SYMM_MEM_METAS: Readonly<Record<string, MetaKernel>> = Object.freeze({
  one_shot_all_reduce: oneShotAllReduce,
  one_shot_all_reduce_out: oneShotAllReduceOut,
  one_shot_all_reduce_copy: oneShotAllReduceCopy,
  one_shot_all_reduce_copy_out: oneShotAllReduceCopyOut,
  two_shot_all_reduce_: allReduceInPlace,
  two_shot_all_reduce_out: twoShotAllReduceOut,
  multimem_all_reduce_: allReduceInPlace,
  multimem_one_shot_all_reduce: oneShotAllReduce,
  multimem_one_shot_all_reduce_out: oneShotAllReduceOut,
  multimem_one_shot_reduce_out: oneShotReduceOut,
  multimem_all_gather_out: allGatherOut,
  reduce_scatter_out: reduceScatterOut,
  all_to_all_vdev: allToAllVdev,
  all_to_all_vdev_2d: allToAllVdev2d,
  all_to_all_vdev_2d_offset: allToAllVdev2dOffset,
  tile_reduce: tileReduce,
  multi_root_tile_reduce: multiRootTileReduce,
  broadcast,
  get_remote_tensors: getRemoteTensors,
  stream_write_value32_: streamWriteValue32,
  memset32_: memset32,
});
