/** Meta kernels of the MoE all-to-alls (PyTorch's checks; int32 splits and offsets). */
import { OpError } from "../../core/errors.ts";
import type { MetaContext } from "../../library/meta.ts";
import {
  checkRows, checkShape, checkSplitsDType, groupSizeOf, numel, opName, tensor, type Args,
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
