/**
 * Running an op's meta kernel by name: `runMeta` looks the op up, binds the values by schema as
 * the dispatcher does (tensors given as TensorMeta or real tensors), calls the meta kernel and
 * checks its result against the schema. The contract is in meta.ts.
 */
import { OpError } from "../core/errors.ts";
import { bindArguments } from "./bind.ts";
import { checkMetaResult, isTensorMeta, type MetaContext, type MetaEnvironment, type MetaKernel } from "./meta.ts";
import { findOp, listOps, type OpEntry } from "./op-table.ts";

/** The op's meta kernel; throws OpError naming the op when it has none. */
export function metaKernelOf(entry: OpEntry): MetaKernel {
  const meta = entry.meta;
  if (meta === undefined) {
    const s = entry.schema;
    const relative = s.overload === "" ? s.name : `${s.name}.${s.overload}`;
    throw new OpError(`${s.qualifiedName} has no meta kernel: register one with lib.registerMeta("${relative}", fn)`);
  }
  return meta;
}

/**
 * Runs the meta kernel of op `name` on `values` (positional values, then optionally a trailing
 * object of named ones, as at `rank.call`), with tensors given as TensorMeta or real tensors.
 * Binds them by schema exactly as the dispatcher does, calls the meta kernel, and checks its
 * result against the schema's returns. Throws OpError for an unknown op, an op without a meta
 * kernel, arguments that do not bind, and whatever the meta kernel rejects.
 */
export function runMeta(name: string, values: readonly unknown[], env: MetaEnvironment): unknown {
  const entry = findOp(name);
  if (entry === undefined) {
    throw new OpError(`unknown operator "${name}"; defined operators: ${listOps().join(", ") || "none"}`);
  }
  const meta = metaKernelOf(entry);
  const schema = entry.schema;
  const args = bindArguments(schema, values, isTensorMeta);
  const ctx: MetaContext = Object.freeze({ schema, groupSize: (group: string) => env.groupSize(group) });
  const result = meta(args, ctx);
  checkMetaResult(schema, args, result);
  return result;
}
