/**
 * Argument checks the collective kernels share. They run before the first barrier and depend
 * only on shapes and dtypes, which every rank of a well-formed call agrees on, so a bad call
 * fails on every rank at once instead of leaving peers waiting.
 */
import type { Tensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import type { Group } from "../../heap/group.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";

export function describeTensor(t: unknown): string {
  if (t instanceof SymmetricTensor) {
    return `a symmetric ${t.dtype}[${t.shape.join(", ")}] tensor of group "${t.group.name}"`;
  }
  const r = t as Partial<Tensor> | null;
  if (r !== null && typeof r === "object" && typeof r.dtype === "string" && Array.isArray(r.shape)) {
    return `a ${(r as { backend?: string }).backend ?? "regular"} ${r.dtype}[${r.shape.join(", ")}] tensor`;
  }
  return String(t);
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

export function sameDType(op: string, a: [string, Tensor], b: [string, Tensor]): void {
  if (a[1].dtype !== b[1].dtype) {
    throw new OpError(
      `${op}: argument "${b[0]}" expected dtype ${a[1].dtype} (the dtype of "${a[0]}"), found ${b[1].dtype}`,
    );
  }
}

/**
 * `out` must hold exactly `numel` elements (`of` says where that number comes from) and, when
 * `shape` is given, have that shape.
 */
export function checkOut(op: string, name: string, out: Tensor, numel: number, of: string, shape?: readonly number[]): void {
  if (out.numel < numel) {
    throw new OpError(`${op}: argument "${name}" is too small: expected ${numel} elements (${of}), found ${out.numel}`);
  }
  if (out.numel > numel) {
    throw new OpError(`${op}: argument "${name}" is too large: expected ${numel} elements (${of}), found ${out.numel}`);
  }
  if (shape !== undefined && shape.join() !== out.shape.join()) {
    throw new OpError(`${op}: argument "${name}" expected shape [${shape.join(", ")}] (${of}), found [${out.shape.join(", ")}]`);
  }
}

export function checkRoot(op: string, root: unknown, group: Group): number {
  if (typeof root !== "number" || !Number.isInteger(root) || root < 0 || root >= group.size) {
    throw new OpError(
      `${op}: argument "root" expected a rank of group "${group.name}" in [0, ${group.size - 1}], found ${String(root)}`,
    );
  }
  return root;
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
