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

/** A registered argument after realization: a symmetric tensor of the op's group. */
export function symmetricArg(ctx: OpContext, args: Readonly<Record<string, unknown>>, name: string): SymmetricTensor {
  const group = opGroup(ctx);
  const t = args[name];
  if (!(t instanceof SymmetricTensor) || t.group !== group) {
    throw new OpError(
      `${ctx.schema.qualifiedName}: argument "${name}" expected a symmetric tensor of group "${group.name}", ` +
        `found ${describeTensor(t)}`,
    );
  }
  return t;
}

/** Writing `b` while peers read `a` (or the reverse) would race, so they must not share bytes. */
export function checkDisjoint(op: string, a: [string, SymmetricTensor], b: [string, SymmetricTensor]): void {
  const [x, y] = [a[1], b[1]];
  if (x.allocation !== y.allocation || x.nbytes === 0 || y.nbytes === 0) return;
  if (x.viewOffset < y.viewOffset + y.nbytes && y.viewOffset < x.viewOffset + x.nbytes) {
    throw new OpError(
      `${op}: arguments "${a[0]}" and "${b[0]}" overlap in allocation ${x.allocation.id}: expected disjoint ` +
        `memory, found bytes [${x.viewOffset}, ${x.viewOffset + x.nbytes}) and [${y.viewOffset}, ${y.viewOffset + y.nbytes})`,
    );
  }
}
