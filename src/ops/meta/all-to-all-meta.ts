/** Meta kernels of the all-to-alls (PyTorch's checks; int32 splits and offsets). */
import { OpError } from "../../core/errors.ts";
import type { MetaContext } from "../../library/meta.ts";
import {
  checkRows, checkShape, checkSplitsDType, describeTensor, groupSizeOf, numel, opName, sameDType, tensor, type Args,
} from "../shape-checks.ts";

/** all_to_all_vdev: in_splits[p] rows go to rank p; out_splits_offsets gets [received splits; offsets]. */
export function allToAllVdev(args: Args, ctx: MetaContext): undefined {
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
export function allToAllVdev2d(args: Args, ctx: MetaContext): undefined {
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
export function allToAllVdev2dOffset(args: Args, ctx: MetaContext): undefined {
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

/** all_to_all (plain, equal splits; PyTorch's nvshmem_all_to_all checks): same dtype and numel, numel divisible by the group size. */
export function allToAll(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const input = tensor(args, "input");
  const out = tensor(args, "out");
  sameDType(op, ["input", input], ["out", out]);
  if (numel(out) !== numel(input)) {
    throw new OpError(`${op}: argument "out" expected ${numel(input)} elements (the numel of input), found ${numel(out)}`);
  }
  if (numel(input) % size !== 0) {
    throw new OpError(
      `${op}: argument "input" has ${numel(input)} elements, which is not divisible by the group size ${size} ` +
        `(one equal slot per rank of group "${args.group_name as string}")`,
    );
  }
  return undefined;
}

/** One int32 tensor of `size` elements per rank (the exchange plan's splits and offsets). */
function checkPerRank(op: string, args: Args, names: readonly string[], size: number, group: string): void {
  for (const name of names) {
    const t = tensor(args, name);
    checkSplitsDType(op, name, t);
    checkShape(op, name, t, [size], `one entry per rank of group "${group}"`);
  }
}

/** _make_a2a_exchange_plan: in_splits, src_offsets, out_splits, dst_offsets are int32 of shape [group size]. */
export function makeA2aExchangePlan(args: Args, ctx: MetaContext): undefined {
  checkPerRank(opName(ctx), args, ["in_splits", "src_offsets", "out_splits", "dst_offsets"], groupSizeOf(args, ctx),
    args.group_name as string);
  return undefined;
}

/**
 * _all_to_all_get: input and out have the same dtype and rows; the plan's three tensors are int32
 * of shape [group size]. PyTorch's per-block outputs b_start, b_len and b_head (for a consumer that
 * starts on blocks of tokens as they land) are not supported: they must be None.
 */
export function allToAllGet(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  checkRows(op, ["input", tensor(args, "input")], ["out", tensor(args, "out")]);
  checkPerRank(op, args, ["src_offsets", "out_splits", "dst_offsets"], groupSizeOf(args, ctx), args.group_name as string);
  for (const name of ["b_start", "b_len", "b_head"]) {
    const v = args[name];
    if (v !== null && v !== undefined) {
      throw new OpError(
        `${op}: argument "${name}" expected None (per-block start, length and ready signals are not supported: ` +
          `the op moves every block before it returns), found ${describeTensor(v)}`,
      );
    }
  }
  return undefined;
}
