/**
 * Binds a call's values to an operator schema: positional values, then named values, then
 * defaults, with a type check per argument. Errors name the op, the argument, what was expected
 * and what was found.
 */
import { describeValue as describeAnyValue } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { formatType, typeTree } from "./arg-type.ts";
import { bindsTo, unbindable } from "./bind-kinds.ts";
import type { SchemaType } from "./schema-type.ts";
import type { Argument, OpSchema } from "./schema.ts";

/** Argument name → value, in schema order; null prototype, frozen. */
export type BoundArgs = Readonly<Record<string, unknown>>;

/** How the caller's backend recognises its tensors; the library itself knows no tensor type. */
export type IsTensor = (value: unknown) => boolean;

/**
 * Binding rules:
 * - The LAST value is the named-arguments object when it is a plain object (its prototype is
 *   Object.prototype or null), not an array, and `isTensor` rejects it. No schema type accepts
 *   such a value positionally (tensors are recognised by `isTensor` first; every other type is a
 *   primitive or an array), so this never takes a value meant for a positional slot.
 * - The other values fill the non-keyword-only arguments in schema order; more values than those
 *   slots is an error. Keyword-only arguments (after `*`) can only be named.
 * - `undefined`, positional or named, means "not given". A value given both positionally and by
 *   name is an error; so is an unknown name.
 * - An argument not given takes its default; else null when its type is optional (`Tensor?`,
 *   `int?`); else it is a missing required argument.
 * - `null` is accepted only for optional types (`T?`, and the elements of `T?[]`). Type checks
 *   (docs/schema.md lists them all): Tensor via `isTensor`; int (SymInt...) an integer number;
 *   float a finite number; bool a boolean; str (Dimname) a string; Scalar a finite number or a
 *   boolean; ScalarType, Layout, MemoryFormat their PyTorch names ("float32", "strided",
 *   "contiguous_format"); Device a string; None null; Any any value; lists an array whose every
 *   element passes the element check, and for a fixed-size int list (`int[2]`) also one integer,
 *   bound as that many copies (as PyTorch's `int[2] stride=1`); tuples an array of their length;
 *   Union a value of any member type.
 * - A type with no JS representation here (complex, Generator, Storage, Stream, QScheme,
 *   Quantizer, Capsule, custom classes, type variables, Dict, Future, Await, RRef...) can be
 *   defined, and left out or given null where it is optional, but a value for it is refused with
 *   an OpError that says so.
 */
export function bindArguments(schema: OpSchema, values: readonly unknown[], isTensor: IsTensor): BoundArgs {
  const b = binderOf(schema);
  const last = values[values.length - 1];
  const named = values.length > 0 && isNamedArgs(last, isTensor) ? (last as Readonly<Record<string, unknown>>) : undefined;
  const positional = named === undefined ? values : values.slice(0, -1);
  if (positional.length > b.slots) {
    const kw = schema.args.filter((a) => a.kwargOnly).map((a) => a.name);
    const hint = kw.length === 0 ? "" : ` (keyword-only: ${kw.join(", ")})`;
    throw new OpError(`${schema.qualifiedName}: expected at most ${b.slots} positional arguments${hint}, found ${positional.length}`);
  }
  if (named !== undefined) checkNames(schema, b, named, positional);

  const bound: Record<string, unknown> = Object.create(null);
  let slot = 0;
  for (const a of b.args) {
    const arg = a.arg;
    let value = arg.kwargOnly ? undefined : positional[slot++];
    if (value === undefined && named !== undefined && Object.hasOwn(named, arg.name)) value = named[arg.name];
    bound[arg.name] = value === undefined ? fill(schema.qualifiedName, arg) : bindValue(a.tree, value, isTensor, a.fail, a.refuse);
  }
  return Object.freeze(bound);
}

/**
 * What binding needs of a schema, computed once per schema (schemas and their arguments are
 * frozen): the positional slots, each argument's slot by name, and per argument its type tree
 * and the two error makers. A call then allocates nothing but the bound object.
 */
interface Binder {
  /** Non-keyword-only arguments. */
  readonly slots: number;
  /** Argument name → its positional index, or -1 when keyword-only. */
  readonly slotOf: ReadonlyMap<string, number>;
  readonly args: readonly BoundArg[];
}

interface BoundArg {
  readonly arg: Argument;
  readonly tree: SchemaType;
  readonly fail: (found: string) => never;
  readonly refuse: (t: SchemaType) => never;
}

const binders = new WeakMap<OpSchema, Binder>();

function binderOf(schema: OpSchema): Binder {
  let b = binders.get(schema);
  if (b === undefined) {
    b = makeBinder(schema);
    binders.set(schema, b);
  }
  return b;
}

function makeBinder(schema: OpSchema): Binder {
  const op = schema.qualifiedName;
  const slotOf = new Map<string, number>();
  let slots = 0;
  for (const a of schema.args) slotOf.set(a.name, a.kwargOnly ? -1 : slots++);
  const args = schema.args.map((arg): BoundArg => ({
    arg,
    tree: typeTree(arg.type, arg.alias, arg.listAlias),
    fail: (found: string): never => {
      throw new OpError(`${op}: argument "${arg.name}" expected ${formatType(arg.type, arg.alias, arg.listAlias)}, found ${found}`);
    },
    refuse: (t: SchemaType): never => {
      throw new OpError(
        `${op}: argument "${arg.name}" has type ${formatType(arg.type, arg.alias, arg.listAlias)}, whose ${unbindable(t)} ` +
          "has no JS representation here: the op can be defined, but a value for it cannot be passed (see docs/schema.md)",
      );
    },
  }));
  return { slots, slotOf, args };
}

/** A trailing named-arguments object: a plain object (prototype Object.prototype or null) that is not a tensor. */
export function isNamedArgs(value: unknown, isTensor: IsTensor): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !isTensor(value);
}

function checkNames(
  schema: OpSchema,
  b: Binder,
  named: Readonly<Record<string, unknown>>,
  positional: readonly unknown[],
): void {
  const op = schema.qualifiedName;
  for (const name in named) {
    if (!Object.hasOwn(named, name)) continue;
    const at = b.slotOf.get(name);
    if (at === undefined) {
      const known = schema.args.map((a) => a.name).join(", ");
      throw new OpError(`${op}: unknown argument "${name}"; expected one of: ${known || "(none)"}`);
    }
    if (at >= 0 && positional[at] !== undefined && named[name] !== undefined) {
      throw new OpError(`${op}: argument "${name}" given both by position (index ${at}) and by name`);
    }
  }
}

function fill(op: string, arg: Argument): unknown {
  if (arg.hasDefault) return Array.isArray(arg.default) ? [...arg.default] : arg.default;
  if (arg.type.optional) return null;
  throw new OpError(`${op}: missing required argument "${arg.name}" (${formatType(arg.type)})`);
}

/** Checks `value` against `t` and returns what is bound (a fixed-size int list given one integer becomes the list). */
function bindValue(
  t: SchemaType,
  value: unknown,
  isTensor: IsTensor,
  fail: (found: string) => never,
  refuse: (t: SchemaType) => never,
): unknown {
  switch (t.tag) {
    case "optional":
      return value === null ? null : bindValue(t.inner, value, isTensor, fail, refuse);
    case "base": {
      const fits = bindsTo(t.name);
      if (fits === undefined) return refuse(t);
      return fits(value, isTensor) ? value : fail(describeValue(value, isTensor));
    }
    case "list": {
      if (!Array.isArray(value)) {
        const e = t.element;
        const broadcast = t.size !== undefined && e.tag === "base" && bindsTo(e.name) === bindsTo("int");
        if (broadcast && typeof value === "number" && Number.isInteger(value)) return Array.from({ length: t.size ?? 0 }, () => value);
        return fail(describeValue(value, isTensor));
      }
      const items = value as readonly unknown[];
      const bound = items.map((item, i) =>
        bindValue(t.element, item, isTensor, (found) => fail(`array with ${found} at index ${i}`), refuse),
      );
      // The caller's own array when nothing in it changed (a nested broadcast changes it).
      return bound.every((b, i) => b === items[i]) ? value : bound;
    }
    case "tuple": {
      if (!Array.isArray(value) || value.length !== t.items.length) return fail(describeValue(value, isTensor));
      const items = value as readonly unknown[];
      return t.items.map((item, i) =>
        bindValue(item, items[i], isTensor, (found) => fail(`array with ${found} at index ${i}`), refuse),
      );
    }
    case "apply":
      if (t.name !== "Union") return refuse(t);
      for (const member of t.items) {
        try {
          return bindValue(member, value, isTensor, fail, refuse);
        } catch (e) {
          if (!(e instanceof OpError)) throw e;
        }
      }
      return fail(describeValue(value, isTensor));
  }
}

/** "number 3", "string \"sum\"", "tensor", "array of length 2", "object Foo", ... */
export function describeValue(value: unknown, isTensor: IsTensor): string {
  return isTensor(value) ? "tensor" : describeAnyValue(value);
}
