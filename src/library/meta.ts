/**
 * Meta kernels, after PyTorch's fake/meta impls (torch.library.register_fake): a function that
 * computes an op's output shapes and dtypes from its input shapes and dtypes without running
 * anything, touching no memory and needing no rank. It rejects, with the real kernel's OpError,
 * the calls the real kernel would reject because of shapes, dtypes or scalar arguments; what
 * only memory can tell (symmetric or not, overlapping bytes) it cannot check.
 *
 * The op table holds meta kernels (op-table.ts imports the types from here); `runMeta`, which
 * looks ops up in the table, is in run-meta.ts, so that this file imports no table.
 */
import { DTYPES, type DType } from "../core/dtype.ts";
import { quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { describeValue } from "./bind.ts";
import type { OpSchema, Return } from "./schema.ts";

/** What a meta kernel knows of a tensor. Real tensors qualify too: anything with shape and dtype. */
export interface TensorMeta {
  /** Sizes of the dimensions; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
}

/** What a meta kernel receives besides its arguments. */
export interface MetaContext {
  /** The schema of the op whose meta kernel runs. */
  readonly schema: OpSchema;
  /** Size of a group by name; throws for an unknown group. */
  groupSize(name: string): number;
}

/**
 * Args bound by schema as the dispatcher binds them (BoundArgs), tensors replaced by TensorMeta
 * (or kept as tensors: anything with shape and dtype). Returns the op's outputs: a TensorMeta
 * for each `Tensor` return, an array for `Tensor[]`, undefined for `()`. A return that aliases an
 * `(a!)` argument must return that argument object itself. Throws OpError on inputs the real
 * kernel would reject because of shapes/dtypes.
 */
export type MetaKernel = (args: Readonly<Record<string, unknown>>, ctx: MetaContext) => unknown;

/** What `runMeta` needs besides the op: the sizes of the groups its `group_name` may name. */
export type MetaEnvironment = Pick<MetaContext, "groupSize">;

/** A shape (an array of non-negative integers) and a known dtype: a TensorMeta or a real tensor. */
export function isTensorMeta(value: unknown): value is TensorMeta {
  if (typeof value !== "object" || value === null) return false;
  const { shape, dtype } = value as { shape?: unknown; dtype?: unknown };
  return (
    Array.isArray(shape) &&
    shape.every((d) => Number.isInteger(d) && (d as number) >= 0) &&
    typeof dtype === "string" &&
    (DTYPES as readonly string[]).includes(dtype)
  );
}

/** A frozen TensorMeta with a copy of `shape`; throws OpError on a bad shape or dtype. */
export function tensorMeta(shape: readonly number[], dtype: DType): TensorMeta {
  const meta = { shape: Object.freeze(Array.isArray(shape) ? [...shape] : (shape as never)), dtype };
  if (!isTensorMeta(meta)) {
    throw new OpError(
      `tensorMeta: expected a shape of non-negative integers and a dtype (${DTYPES.join(", ")}), ` +
        `found ${Array.isArray(shape) ? `[${shape.map((d) => (typeof d === "number" ? String(d) : quote(d))).join(",")}]` : quote(shape)} and ${quote(dtype)}`,
    );
  }
  return Object.freeze(meta);
}

/** A MetaEnvironment over fixed group sizes, e.g. `metaGroups({ world: 4 })`. */
export function metaGroups(sizes: Readonly<Record<string, number>>): MetaEnvironment {
  const known = new Map(Object.entries(sizes));
  for (const [name, size] of known) {
    if (!Number.isInteger(size) || size < 1) {
      throw new OpError(`metaGroups: group "${name}" expected a positive integer size, found ${String(size)}`);
    }
  }
  return Object.freeze({
    groupSize(name: string): number {
      const size = known.get(name);
      if (size === undefined) {
        const list = [...known.keys()].map((n) => `"${n}"`).join(", ");
        throw new OpError(`unknown group ${quote(name)}: known groups are ${list || "none"}`);
      }
      return size;
    },
  });
}

/**
 * A meta kernel's result must have the schema's returns: undefined for `()`, one value for one
 * return, an array of one value per return otherwise; an aliased return is its argument itself.
 */
export function checkMetaResult(schema: OpSchema, args: Readonly<Record<string, unknown>>, result: unknown): void {
  const op = schema.qualifiedName;
  const returns = schema.returns;
  const fail = (expected: string, found: unknown): never => {
    throw new OpError(`${op}: meta kernel returned ${describeValue(found, isTensorMeta)}, expected ${expected}`);
  };
  if (returns.length === 0) {
    if (result !== undefined) fail("undefined (the schema returns ())", result);
    return;
  }
  const aliases = schema.returnAliases();
  if (returns.length === 1) {
    checkReturn(returns[0], aliases[0], args, result, fail);
    return;
  }
  if (!Array.isArray(result) || result.length !== returns.length) fail(`an array of ${returns.length} returns`, result);
  returns.forEach((r, i) => checkReturn(r, aliases[i], args, (result as unknown[])[i], fail));
}

function checkReturn(
  r: Return,
  alias: string | undefined,
  args: Readonly<Record<string, unknown>>,
  value: unknown,
  fail: (expected: string, found: unknown) => never,
): void {
  if (r.type.kind !== "Tensor") return;
  if (alias !== undefined && !r.type.list) {
    if (value !== args[alias]) fail(`argument "${alias}" itself (the return aliases it)`, value);
    return;
  }
  if (value === null && r.type.optional) return;
  if (r.type.list) {
    if (!Array.isArray(value) || !value.every(isTensorMeta)) fail("an array of tensor metas (Tensor[])", value);
    return;
  }
  if (!isTensorMeta(value)) fail("a tensor meta ({ shape, dtype })", value);
}
