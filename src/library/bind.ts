/**
 * Binds a call's values to an operator schema: positional values, then named values, then
 * defaults, with a type check per argument. Errors name the op, the argument, what was expected
 * and what was found.
 */
import { describeValue as describeAnyValue } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { formatType, type Argument, type OpSchema, type TypeKind } from "./schema.ts";

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
 * - `null` is accepted only for optional types. Type checks: Tensor via `isTensor`; int an integer
 *   number; float a finite number; bool a boolean; str a string; Scalar a finite number or a
 *   boolean; lists an array whose every element passes the element check.
 */
export function bindArguments(schema: OpSchema, values: readonly unknown[], isTensor: IsTensor): BoundArgs {
  const op = schema.qualifiedName;
  const last = values[values.length - 1];
  const named = values.length > 0 && isNamedArgs(last, isTensor) ? (last as Readonly<Record<string, unknown>>) : undefined;
  const positional = named === undefined ? values : values.slice(0, -1);
  const slots = schema.args.filter((a) => !a.kwargOnly);
  if (positional.length > slots.length) {
    const kw = schema.args.filter((a) => a.kwargOnly).map((a) => a.name);
    const hint = kw.length === 0 ? "" : ` (keyword-only: ${kw.join(", ")})`;
    throw new OpError(`${op}: expected at most ${slots.length} positional arguments${hint}, found ${positional.length}`);
  }
  if (named !== undefined) checkNames(schema, named, slots, positional);

  const bound: Record<string, unknown> = Object.create(null);
  let slot = 0;
  for (const arg of schema.args) {
    let value = arg.kwargOnly ? undefined : positional[slot++];
    if (value === undefined && named !== undefined && Object.hasOwn(named, arg.name)) value = named[arg.name];
    bound[arg.name] = value === undefined ? fill(op, arg) : check(op, arg, value, isTensor);
  }
  return Object.freeze(bound);
}

function isNamedArgs(value: unknown, isTensor: IsTensor): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !isTensor(value);
}

function checkNames(
  schema: OpSchema,
  named: Readonly<Record<string, unknown>>,
  slots: readonly Argument[],
  positional: readonly unknown[],
): void {
  const op = schema.qualifiedName;
  for (const name of Object.keys(named)) {
    if (!schema.args.some((a) => a.name === name)) {
      const known = schema.args.map((a) => a.name).join(", ");
      throw new OpError(`${op}: unknown argument "${name}"; expected one of: ${known || "(none)"}`);
    }
    const at = slots.findIndex((a) => a.name === name);
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

function check(op: string, arg: Argument, value: unknown, isTensor: IsTensor): unknown {
  if (value === null && arg.type.optional) return null;
  const fail = (found: string): never => {
    throw new OpError(`${op}: argument "${arg.name}" expected ${formatType(arg.type)}, found ${found}`);
  };
  if (!arg.type.list) {
    if (!fits(arg.type.kind, value, isTensor)) fail(describeValue(value, isTensor));
    return value;
  }
  if (!Array.isArray(value)) fail(describeValue(value, isTensor));
  const items = value as readonly unknown[];
  items.forEach((item, i) => {
    if (!fits(arg.type.kind, item, isTensor)) fail(`array with ${describeValue(item, isTensor)} at index ${i}`);
  });
  return value;
}

function fits(kind: TypeKind, value: unknown, isTensor: IsTensor): boolean {
  switch (kind) {
    case "Tensor":
      return isTensor(value);
    case "int":
      return typeof value === "number" && Number.isInteger(value);
    case "float":
      return typeof value === "number" && Number.isFinite(value);
    case "bool":
      return typeof value === "boolean";
    case "str":
      return typeof value === "string";
    case "Scalar":
      return (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean";
  }
}

/** "number 3", "string \"sum\"", "tensor", "array of length 2", "object Foo", ... */
export function describeValue(value: unknown, isTensor: IsTensor): string {
  return isTensor(value) ? "tensor" : describeAnyValue(value);
}
