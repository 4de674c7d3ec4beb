/**
 * Argument checks the collective kernels share. They run before the first barrier and depend
 * only on shapes and dtypes, which every rank of a well-formed call agrees on, so a bad call
 * fails on every rank at once instead of leaving peers waiting.
 */
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import type { Group } from "../../heap/group.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkRoot as checkRootIn, describeTensor } from "../shape-checks.ts";

export { checkOut, describeTensor, sameDType } from "../shape-checks.ts";

/** `root` must be a rank of the op's group. */
export function checkRoot(op: string, root: unknown, group: Group): number {
  return checkRootIn(op, root, group.name, group.size);
}

/** The op's group; every collective schema has a `group_name`. */
export function opGroup(ctx: OpContext): Group {
  if (ctx.group === undefined) {
    throw new OpError(`${ctx.schema.qualifiedName}: the op has no group_name argument, so it cannot be collective`);
  }
  return ctx.group;
}

/** What an op accepts besides a contiguous symmetric tensor. */
export interface SymmetricArgOptions {
  /** Accept a strided 2-d view (`tile`): only ops whose kernels read and write by rows do. */
  readonly strided?: boolean;
  /** The argument's name in messages when it differs from the args key (`in_tiles[2]`). */
  readonly label?: string;
}

/**
 * A registered argument after realization: a symmetric tensor of the op's group, contiguous
 * unless `options.strided` (the kernels read whole byte ranges of it on every rank).
 */
export function symmetricArg(
  ctx: OpContext, args: Readonly<Record<string, unknown>>, name: string, options: SymmetricArgOptions = {},
): SymmetricTensor {
  return symmetricValue(ctx, args[name], options.label ?? name, options);
}

/** `symmetricArg` for a value already taken out of the args (an element of a Tensor[]). */
export function symmetricValue(ctx: OpContext, t: unknown, name: string, options: SymmetricArgOptions = {}): SymmetricTensor {
  const group = opGroup(ctx);
  const op = ctx.schema.qualifiedName;
  if (!(t instanceof SymmetricTensor) || t.group !== group) {
    throw new OpError(
      `${op}: argument "${name}" expected a symmetric tensor of group "${group.name}", found ${describeTensor(t)}`,
    );
  }
  if (options.strided !== true) checkContiguous(ctx, name, t);
  return t;
}

/** A strided view (SymmetricTensor.tile) is an OpError for every op but the tile reductions. */
export function checkContiguous(ctx: OpContext, name: string, t: SymmetricTensor): void {
  if (t.isContiguous) return;
  throw new OpError(
    `${ctx.schema.qualifiedName}: argument "${name}" expected a contiguous symmetric tensor, found a strided view ` +
      `(shape [${t.shape.join(", ")}], strides [${t.strides.join(", ")}]) on rank ${ctx.rank.rank}; ` +
      `only tile_reduce and multi_root_tile_reduce take strided tiles`,
  );
}

/** The byte ranges a tensor covers in its allocation, in order: one per row of a strided view. */
function* byteRanges(t: SymmetricTensor): Generator<[number, number]> {
  const { rows, rowLength, rowStride } = t.rowLayout;
  const size = t.nbytes / Math.max(1, t.numel);
  for (let r = 0; r < rows; r++) {
    const start = t.viewOffset + r * rowStride * size;
    yield [start, start + rowLength * size];
  }
}

/** The first byte range two tensors share, or undefined (a merge of their sorted row ranges). */
function firstOverlap(x: SymmetricTensor, y: SymmetricTensor): [number, number] | undefined {
  const xs = byteRanges(x);
  const ys = byteRanges(y);
  let a = xs.next();
  let b = ys.next();
  while (!a.done && !b.done) {
    const [x0, x1] = a.value;
    const [y0, y1] = b.value;
    if (x0 < y1 && y0 < x1) return [Math.max(x0, y0), Math.min(x1, y1)];
    if (x1 <= y1) a = xs.next();
    else b = ys.next();
  }
  return undefined;
}

/**
 * Writing `b` while peers read `a` (or the reverse) would race, so they must not share bytes.
 * Strided views are compared row by row: two column blocks of one matrix are disjoint.
 */
export function checkDisjoint(op: string, a: [string, SymmetricTensor], b: [string, SymmetricTensor]): void {
  const [x, y] = [a[1], b[1]];
  if (x.allocation !== y.allocation || x.nbytes === 0 || y.nbytes === 0) return;
  const shared = firstOverlap(x, y);
  if (shared !== undefined) {
    const range = (t: SymmetricTensor) => `[${t.viewOffset}, ${t.viewOffset + t.spanBytes})` +
      (t.isContiguous ? "" : ` (strides [${t.strides.join(", ")}])`);
    throw new OpError(
      `${op}: arguments "${a[0]}" and "${b[0]}" overlap in allocation ${x.allocation.id}: expected disjoint ` +
        `memory, found bytes ${range(x)} and ${range(y)}, sharing bytes [${shared[0]}, ${shared[1]})`,
    );
  }
}
