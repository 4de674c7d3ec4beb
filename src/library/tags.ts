/**
 * Operator tags, after torch.Tag (aten/src/ATen/native/tags.yaml), and PyTorch 2.13's rules for
 * the two that describe mutation, which `Library.define` checks:
 * - Tag.out (pytorch#180851): every mutable argument is a write-only buffer (not read before it
 *   is written: the kernel's contract, which a schema cannot show), is keyword-only, and is
 *   returned, in order.
 * - Tag.inplace (pytorch#181099): the first positional argument is a plain `Tensor(a!)`, it is
 *   the only mutable argument, and the op returns exactly that tensor.
 * An op that returns an alias of an input with neither tag is deprecated (a warning in 2.13, an
 * error later; pytorch#182063): `warnAliasingReturn` says so once per op.
 */
import { quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { formatType } from "./arg-type.ts";
import type { OpSchema, Return } from "./schema.ts";

/** The tags of torch.Tag (tags.yaml), `out` and `inplace` included. */
export const TAGS = Object.freeze([
  "core",
  "data_dependent_output",
  "dynamic_output_shape",
  "flexible_layout",
  "generated",
  "inplace",
  "inplace_view",
  "maybe_aliasing_or_mutating",
  "needs_contiguous_strides",
  "needs_exact_strides",
  "needs_fixed_stride_order",
  "nondeterministic_bitwise",
  "nondeterministic_seeded",
  "out",
  "pointwise",
  "pt2_compliant_tag",
  "reduction",
  "view_copy",
  "cudagraph_unsafe",
] as const);

/** One of torch.Tag's names: `"out"`, `"inplace"`, `"pt2_compliant_tag"`, ... */
export type Tag = (typeof TAGS)[number];

/** Throws an OpError unless `tags` is an array of known tag names; returns them frozen, without repeats. */
export function checkTagNames(op: string, tags: unknown): readonly Tag[] {
  if (!Array.isArray(tags)) throw new OpError(`${op}: expected tags to be an array of tag names, found ${quote(tags)}`);
  for (const t of tags as unknown[]) {
    if (typeof t !== "string" || !(TAGS as readonly string[]).includes(t)) {
      throw new OpError(`${op}: expected a tag of torch.Tag (${TAGS.join(", ")}), found ${quote(t)}`);
    }
  }
  return Object.freeze([...new Set(tags as Tag[])]);
}

/** Throws an OpError naming the broken rule when `schema` breaks a rule of one of its tags (Tag.out, Tag.inplace). */
export function checkTagRules(schema: OpSchema, tags: readonly Tag[]): void {
  if (tags.includes("out")) checkOut(schema);
  if (tags.includes("inplace")) checkInplace(schema);
}

function broken(schema: OpSchema, tag: string, rule: string, found: string): never {
  throw new OpError(`${schema.qualifiedName}: Tag.${tag} rule "${rule}" is broken: ${found} (schema: ${schema.toString()})`);
}

function describeReturns(returns: readonly Return[]): string {
  return returns.length === 0 ? "()" : returns.map((r) => formatType(r.type, r.alias, r.listAlias)).join(", ");
}

function checkOut(schema: OpSchema): void {
  const mutable = schema.args.filter((a) => schema.mutatedArgs.includes(a.name));
  if (mutable.length === 0) broken(schema, "out", "an out= op has mutable arguments (Tensor(a!))", "it has none");
  for (const a of mutable) {
    if (!a.kwargOnly) broken(schema, "out", "every mutable argument is keyword-only", `"${a.name}" is positional; declare it after "*"`);
  }
  const expected = mutable.map((a) => formatType(a.type, a.alias, a.listAlias)).join(", ");
  const rule = "the mutable arguments are returned, in order";
  if (schema.returns.length !== mutable.length) {
    broken(schema, "out", rule, `expected returns (${expected}), found (${describeReturns(schema.returns)})`);
  }
  const aliases = schema.returnAliases();
  schema.returns.forEach((r, i) => {
    const a = mutable[i];
    const same = a !== undefined && aliases[i] === a.name && formatType(r.type, r.alias, r.listAlias) === formatType(a.type, a.alias, a.listAlias);
    if (!same) broken(schema, "out", rule, `expected returns (${expected}), found (${describeReturns(schema.returns)})`);
  });
}

function checkInplace(schema: OpSchema): void {
  const first = schema.args.find((a) => !a.kwargOnly);
  const plain = first !== undefined && first.type.kind === "Tensor" && !first.type.list && !first.type.optional && first.type.compound === undefined;
  if (first === undefined || !plain || first.alias?.isWrite !== true) {
    const found = first === undefined ? "there is no positional argument" : `"${first.name}" is ${formatType(first.type, first.alias, first.listAlias)}`;
    broken(schema, "inplace", "the first positional argument is a mutable Tensor (Tensor(a!))", found);
  }
  const others = schema.mutatedArgs.filter((n) => n !== first.name);
  if (others.length > 0) {
    broken(schema, "inplace", "the first positional argument is the only mutated one", `${others.map((n) => `"${n}"`).join(", ")} ${others.length === 1 ? "is" : "are"} mutated too`);
  }
  const r = schema.returns[0];
  const returnsIt =
    schema.returns.length === 1 && r !== undefined && r.listAlias === undefined &&
    formatType(r.type, r.alias) === formatType(first.type, first.alias) && schema.returnAliases()[0] === first.name;
  if (!returnsIt) {
    broken(schema, "inplace", `it is returned: the op returns exactly "${first.name}" (${formatType(first.type, first.alias)})`, `found (${describeReturns(schema.returns)})`);
  }
}

/** Ops already warned about, by qualified name: the warning is given once per op and process. */
const warned = new Set<string>();

/**
 * The deprecation PyTorch 2.13 gives an op that returns an alias of an input and is neither
 * Tag.out nor Tag.inplace; undefined when the op does not. The text says what to do instead.
 */
export function aliasingReturnWarning(schema: OpSchema, tags: readonly Tag[]): string | undefined {
  if (tags.includes("out") || tags.includes("inplace")) return undefined;
  const aliased = [...new Set(schema.returnAliases().filter((a): a is string => a !== undefined))];
  if (aliased.length === 0) return undefined;
  const names = aliased.map((n) => `"${n}"`).join(", ");
  return (
    `${schema.qualifiedName}: returns an alias of its input ${names} but is tagged neither Tag.out nor Tag.inplace. ` +
    "Custom operators that return an alias of an input are deprecated (PyTorch 2.13) and this will become an error " +
    "in a future release. An in-place op (it mutates its first positional argument and returns it) should be defined " +
    "with tags: [\"inplace\"]; an out= op (its mutable arguments are keyword-only, write-only, and returned in order) " +
    "with tags: [\"out\"]; any other op should return () or fresh tensors."
  );
}

/** Warns (console.warn) with `aliasingReturnWarning`, once per op name. */
export function warnAliasingReturn(schema: OpSchema, tags: readonly Tag[]): void {
  if (warned.has(schema.qualifiedName)) return;
  const message = aliasingReturnWarning(schema, tags);
  if (message === undefined) return;
  warned.add(schema.qualifiedName);
  console.warn(message);
}
