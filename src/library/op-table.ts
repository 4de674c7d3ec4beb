/**
 * The process-wide operator table: qualified name → schema and kernels per backend. Libraries
 * write it; the dispatcher reads it through `findOp`. Symm-mem arguments stay in the registry
 * (data of their own) and are only read through here.
 */
import type { BoundArgs } from "./bind.ts";
import { canonicalOpName } from "./op-name.ts";
import type { OpSchema } from "./schema.ts";
import { symmMemRegistry } from "./symm-mem-registry.ts";

/** A backend's implementation of an op. `Ctx` is whatever the dispatcher passes (rank, device...). */
export type Kernel<Ctx = unknown> = (args: BoundArgs, ctx: Ctx) => unknown;

export interface OpEntry {
  readonly schema: OpSchema;
  /** Backend name (dispatch key) → kernel. */
  readonly impls: ReadonlyMap<string, Kernel>;
  /** The registered symm-mem argument names, read from the registry at each access. */
  readonly symmMemArgs: readonly string[] | undefined;
}

class TableEntry implements OpEntry {
  readonly impls = new Map<string, Kernel>();
  constructor(readonly schema: OpSchema) {}
  get symmMemArgs(): readonly string[] | undefined {
    return symmMemRegistry.get(this.schema.qualifiedName);
  }
}

const table = new Map<string, TableEntry>();

/** Looks an op up by `ns::name`, `ns::name.overload` or `ns::name.default`. */
export function findOp(name: string): OpEntry | undefined {
  return table.get(canonicalOpName(name) ?? name);
}

/** Qualified names of every defined op, sorted. */
export function listOps(): string[] {
  return [...table.keys()].sort();
}

/** Adds a schema whose qualified name is free (the caller checks); returns its entry. */
export function addOp(schema: OpSchema): OpEntry {
  const entry = new TableEntry(schema);
  table.set(schema.qualifiedName, entry);
  return entry;
}

/** Removes `entry` if it is still the one in the table (a later redefinition stays). */
export function removeOp(entry: OpEntry): void {
  const name = entry.schema.qualifiedName;
  if (table.get(name) === entry) table.delete(name);
}

export function setKernel(entry: OpEntry, backend: string, fn: Kernel): void {
  asTableEntry(entry).impls.set(backend, fn);
}

/** Removes the kernel if `fn` is still the one registered for `backend`. */
export function removeKernel(entry: OpEntry, backend: string, fn: Kernel): void {
  const impls = asTableEntry(entry).impls;
  if (impls.get(backend) === fn) impls.delete(backend);
}

function asTableEntry(entry: OpEntry): TableEntry {
  if (!(entry instanceof TableEntry)) throw new TypeError("not an entry of the op table");
  return entry;
}
