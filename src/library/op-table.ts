/**
 * The process-wide operator table: qualified name → an entry that holds what was registered for
 * the op, one holder per kind, as PyTorch's SimpleOperatorEntry does
 * (torch/_library/simple_registry.py): its kernels per backend, its symm-mem arguments (kept in
 * the symm-mem registry, which is data of its own) and its meta kernel. Each holder's `register`
 * returns a handle whose `dispose()` removes that registration only if it is still the one held,
 * so a later registration by someone else survives. Libraries write the table through the
 * holders; the dispatcher reads it through `findOp`.
 */
import { quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import type { BoundArgs } from "./bind.ts";
import { registrationHandle, type RegistrationHandle } from "./handle.ts";
import type { MetaKernel } from "./meta.ts";
import { opKey } from "./op-name.ts";
import { formatType, type OpSchema } from "./schema.ts";
import { symmMemRegistry } from "./symm-mem-registry.ts";
import type { Tag } from "./tags.ts";

/** A backend's implementation of an op. `Ctx` is whatever the dispatcher passes (rank, device...). */
export type Kernel<Ctx = unknown> = (args: BoundArgs, ctx: Ctx) => unknown;

/** Kernels per backend (dispatch key); one kernel per backend. */
export interface KernelHolder {
  /** Backend name → kernel. */
  readonly kernels: ReadonlyMap<string, Kernel>;
  /** Throws on an empty backend name or when `backend` already has a kernel. */
  register(backend: string, fn: Kernel): RegistrationHandle;
}

/** The op's symm-mem argument names, stored in `symmMemRegistry` under the op's qualified name. */
export interface SymmMemArgsHolder {
  /** The registered names, read from the registry; undefined when none (or the op was removed). */
  readonly args: readonly string[] | undefined;
  /**
   * Checks `argNames` against the schema (only Tensor, Tensor? and Tensor[] arguments, each
   * once, at least one) and registers them, replacing an earlier list with a warning.
   */
  register(argNames: readonly string[]): RegistrationHandle;
}

/** The op's meta kernel: output shapes and dtypes from input shapes and dtypes (see meta.ts). */
export interface MetaHolder {
  readonly kernel: MetaKernel | undefined;
  /** Throws when `fn` is not a function or the op already has a meta kernel. */
  register(fn: MetaKernel): RegistrationHandle;
}

/** The holders of one op, one per kind of registration. */
export interface OpHolders {
  readonly kernels: KernelHolder;
  readonly symmMemArgs: SymmMemArgsHolder;
  readonly meta: MetaHolder;
}

/**
 * What the op table holds for one op, as `findOp` returns it: its schema and, read at each
 * access, what is registered for it.
 */
export interface OpEntry {
  /** The op's schema, with its namespace. */
  readonly schema: OpSchema;
  /** The torch.Tag names it was defined with (`define(schema, { tags })`); empty when none. */
  readonly tags: readonly Tag[];
  /** Backend name (dispatch key) → kernel; the kernel holder's map. */
  readonly impls: ReadonlyMap<string, Kernel>;
  /** The registered symm-mem argument names, read from the registry at each access. */
  readonly symmMemArgs: readonly string[] | undefined;
  /** The registered meta kernel, if any. */
  readonly meta: MetaKernel | undefined;
  /**
   * What registers into this entry; every `register` returns a handle. Library writes through
   * them (register through a Library, whose `dispose()` then takes the registration back).
   * @internal
   */
  readonly holders: OpHolders;
  /** False once the op's definition was disposed: its holders then refuse registrations. */
  readonly live: boolean;
}

class TableEntry implements OpEntry {
  live = true;
  readonly holders: OpHolders;

  constructor(
    readonly schema: OpSchema,
    readonly tags: readonly Tag[],
  ) {
    const assertLive = (verb: string): void => {
      if (!this.live) {
        throw new OpError(`${verb}: ${schema.qualifiedName} was removed (its definition was disposed); look it up again with findOp`);
      }
    };
    this.holders = Object.freeze({
      kernels: new Kernels(schema, assertLive),
      symmMemArgs: new SymmMemArgs(schema, assertLive, () => this.live),
      meta: new Meta(schema, assertLive),
    });
  }

  get impls(): ReadonlyMap<string, Kernel> {
    return this.holders.kernels.kernels;
  }

  get symmMemArgs(): readonly string[] | undefined {
    return this.holders.symmMemArgs.args;
  }

  get meta(): MetaKernel | undefined {
    return this.holders.meta.kernel;
  }
}

type AssertLive = (verb: string) => void;

class Kernels implements KernelHolder {
  readonly kernels = new Map<string, Kernel>();
  /** Backend → the registration that owns the slot; a kernel registered twice has two tokens. */
  readonly #owners = new Map<string, object>();

  constructor(
    private readonly schema: OpSchema,
    private readonly assertLive: AssertLive,
  ) {}

  register(backend: string, fn: Kernel): RegistrationHandle {
    const op = this.schema.qualifiedName;
    this.assertLive("impl");
    if (typeof backend !== "string" || backend === "") {
      throw new OpError(`${op}: expected a backend name, found ${quote(backend)}`);
    }
    if (typeof fn !== "function") throw new OpError(`${op}: expected a kernel function for backend "${backend}", found ${typeof fn}`);
    if (this.kernels.has(backend)) {
      throw new OpError(`${op} already has a "${backend}" kernel; dispose its library first`);
    }
    const token = {};
    this.kernels.set(backend, fn);
    this.#owners.set(backend, token);
    return registrationHandle(() => {
      if (this.#owners.get(backend) !== token) return;
      this.#owners.delete(backend);
      this.kernels.delete(backend);
    });
  }
}

class SymmMemArgs implements SymmMemArgsHolder {
  constructor(
    private readonly schema: OpSchema,
    private readonly assertLive: AssertLive,
    private readonly isLive: () => boolean,
  ) {}

  get args(): readonly string[] | undefined {
    return this.isLive() ? symmMemRegistry.get(this.schema.qualifiedName) : undefined;
  }

  register(argNames: readonly string[]): RegistrationHandle {
    this.assertLive("registerSymmMemArgs");
    validateSymmMemArgs(this.schema, argNames);
    const name = this.schema.qualifiedName;
    // The stored list's identity tells the handle whether the registration is still its own.
    const stored = symmMemRegistry.set(name, argNames);
    return registrationHandle(() => {
      if (symmMemRegistry.get(name) === stored) symmMemRegistry.remove(name);
    });
  }
}

class Meta implements MetaHolder {
  #slot: { readonly fn: MetaKernel } | undefined;

  constructor(
    private readonly schema: OpSchema,
    private readonly assertLive: AssertLive,
  ) {}

  get kernel(): MetaKernel | undefined {
    return this.#slot?.fn;
  }

  register(fn: MetaKernel): RegistrationHandle {
    const op = this.schema.qualifiedName;
    this.assertLive("registerMeta");
    checkMetaKernel(this.schema, fn);
    if (this.#slot !== undefined) throw new OpError(`${op} already has a meta kernel; dispose its library first`);
    const slot = { fn };
    this.#slot = slot;
    return registrationHandle(() => {
      if (this.#slot === slot) this.#slot = undefined;
    });
  }
}

/** Throws unless `fn` is a function (Library.define checks its `meta` option with it before defining). */
export function checkMetaKernel(schema: OpSchema, fn: unknown): void {
  if (typeof fn !== "function") throw new OpError(`${schema.qualifiedName}: expected a meta kernel function, found ${describeKind(fn)}`);
}

function describeKind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** Only Tensor, Tensor? and Tensor[] can live in the heap; so `group_name` can never be one. */
export function validateSymmMemArgs(schema: OpSchema, argNames: readonly string[]): void {
  const op = schema.qualifiedName;
  if (!Array.isArray(argNames)) throw new OpError(`${op}: expected an array of symm_mem argument names, found ${describeKind(argNames)}`);
  if (argNames.length === 0) throw new OpError(`${op}: cannot register an empty list of symm_mem arguments`);
  argNames.forEach((name, i) => {
    const arg = schema.args.find((a) => a.name === name);
    if (arg === undefined) {
      const known = schema.args.map((a) => a.name).join(", ");
      throw new OpError(`${op}: symm_mem argument "${name}" is not an argument of the schema (arguments: ${known || "none"})`);
    }
    if (arg.type.kind !== "Tensor") {
      throw new OpError(`${op}: symm_mem argument "${name}" expected Tensor, Tensor? or Tensor[], found ${formatType(arg.type)}`);
    }
    if (argNames.indexOf(name) !== i) throw new OpError(`${op}: symm_mem argument "${name}" is listed twice`);
  });
}

const table = new Map<string, TableEntry>();

/** Looks an op up by `ns::name`, `ns::name.overload` or `ns::name.default`. */
export function findOp(name: string): OpEntry | undefined {
  return table.get(opKey(name));
}

/** Qualified names of every defined op, sorted. */
export function listOps(): string[] {
  return [...table.keys()].sort();
}

/**
 * Adds a schema whose qualified name is free (the caller checks). The handle removes the entry if
 * it is still the table's, and with it the op's symm-mem registration, whoever made it: a
 * registration describes a schema that no longer exists, and a redefinition starts clean.
 */
export function addOp(schema: OpSchema, tags: readonly Tag[] = []): { readonly entry: OpEntry; readonly handle: RegistrationHandle } {
  const name = schema.qualifiedName;
  if (table.has(name)) throw new OpError(`${name} is already defined`);
  const entry = new TableEntry(schema, Object.freeze([...tags]));
  table.set(name, entry);
  const handle = registrationHandle(() => {
    if (table.get(name) !== entry) return;
    table.delete(name);
    entry.live = false;
    symmMemRegistry.remove(name);
  });
  return { entry, handle };
}
