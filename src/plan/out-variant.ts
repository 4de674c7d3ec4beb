/**
 * Finding an op's out= variant, as Inductor's ExternKernelOut calls one so that a buffer is
 * written where it is planned: in the registry, an op of the same namespace and name with the
 * overload `out` (`ns::name.out`), or named `ns::name_out`, whose schema takes every argument of
 * the op (same names, same types) plus mutable tensors (`Tensor(a!)`) that it returns, in order:
 * the out arguments, one per return of the op. An op tagged `Tag.out` has that shape by
 * definition (tags.ts checks it at `define`); PyTorch's own symm_mem `_out` ops have it with a
 * positional `out` (they cannot carry Tag.out), so the shape is what is checked, not the tag.
 */
import { formatType } from "../library/arg-type.ts";
import { findOp, type OpEntry } from "../library/op-table.ts";
import type { OpSchema } from "../library/schema.ts";

/** An op's out= variant and the names of its out arguments, one per return of the op. */
export interface OutVariant {
  readonly entry: OpEntry;
  readonly outArgs: readonly string[];
}

/**
 * The out= variant of `entry`, or undefined when the registry has none that fits. Looked up at
 * every trace (two table lookups), so a variant defined or disposed later is seen.
 */
export function findOutVariant(entry: OpEntry): OutVariant | undefined {
  const s = entry.schema;
  const base = s.qualifiedName.split(".")[0];
  const candidates = s.overload === "" ? [`${base}.out`, `${base}_out`] : [`${base}.${s.overload}_out`];
  for (const name of candidates) {
    const o = findOp(name);
    if (o === undefined || o === entry) continue;
    const outArgs = outArgsOf(s, o.schema);
    if (outArgs !== undefined) return { entry: o, outArgs };
  }
  return undefined;
}

/** The out arguments of `out` as a variant of `op`, or undefined when it is not one. */
function outArgsOf(op: OpSchema, out: OpSchema): string[] | undefined {
  if (op.returns.length === 0 || op.returns.some((r) => r.type.kind !== "Tensor" || r.type.list || r.type.optional)) return undefined;
  if (op.returnAliases().some((a) => a !== undefined)) return undefined;
  for (const a of op.args) {
    const b = out.args.find((x) => x.name === a.name);
    if (b === undefined || formatType(b.type) !== formatType(a.type) || out.mutatedArgs.includes(a.name)) return undefined;
  }
  const extra = out.args.filter((b) => !op.args.some((a) => a.name === b.name));
  const aliases = out.returnAliases();
  const single = (n: string) => {
    const b = out.args.find((x) => x.name === n)!;
    return b.type.kind === "Tensor" && !b.type.list && !b.type.optional && out.mutatedArgs.includes(n);
  };
  if (extra.length !== op.returns.length || !extra.every((b) => single(b.name))) return undefined;
  if (aliases.length !== extra.length || aliases.some((a, i) => a !== extra[i].name)) return undefined;
  return extra.map((b) => b.name);
}
