/**
 * `Library`, after torch.library.Library: a handle through which one piece of code defines ops,
 * registers kernels and declares symm-mem arguments in the global op table and registry, and
 * through which it takes all of that back with `dispose()`.
 */
import { OpError } from "../errors.ts";
import { formatOpName, parseOpNameIn, DEFAULT_OVERLOAD } from "./op-name.ts";
import { addOp, findOp, removeKernel, removeOp, setKernel, type Kernel, type OpEntry } from "./op-table.ts";
import { parseSchema } from "./schema-parser.ts";
import { formatType, type OpSchema } from "./schema.ts";
import { symmMemRegistry } from "./symm-mem-registry.ts";

export { findOp, listOps, type Kernel, type OpEntry } from "./op-table.ts";

/** DEF owns a namespace (one live DEF per namespace); FRAGMENT adds ops to it; IMPL only adds kernels. */
export type LibraryKind = "DEF" | "FRAGMENT" | "IMPL";

export interface DefineOptions {
  /** Same as calling `registerSymmMemArgs` right after `define`, kept next to the schema. */
  readonly symmMemArgs?: readonly string[];
}

const NAMESPACE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KINDS: readonly string[] = ["DEF", "FRAGMENT", "IMPL"];

/** Namespaces held by a live DEF library. */
const defNamespaces = new Set<string>();

export class Library {
  readonly #defs: OpEntry[] = [];
  readonly #kernels: Array<{ entry: OpEntry; backend: string; fn: Kernel }> = [];
  readonly #registrations: Array<{ name: string; stored: readonly string[] }> = [];
  #disposed = false;

  constructor(
    readonly namespace: string,
    readonly kind: LibraryKind,
  ) {
    if (!NAMESPACE.test(namespace)) {
      throw new OpError(`expected a namespace that is an identifier, found ${JSON.stringify(namespace)}`);
    }
    if (!KINDS.includes(kind)) throw new OpError(`expected library kind DEF, FRAGMENT or IMPL, found ${JSON.stringify(kind)}`);
    if (kind === "DEF") {
      if (defNamespaces.has(namespace)) {
        throw new OpError(
          `namespace "${namespace}" already has a DEF library; only one may define a namespace: ` +
            `use new Library("${namespace}", "FRAGMENT") to add ops to it, or "IMPL" to add kernels`,
        );
      }
      defNamespaces.add(namespace);
    }
  }

  /** Defines an op; a schema without `ns::` gets this library's namespace. Returns the stored schema. */
  define(schemaText: string, options: DefineOptions = {}): OpSchema {
    this.#assertLive("define");
    if (this.kind === "IMPL") {
      throw new OpError(`library "${this.namespace}" is an IMPL library and cannot define ops; use DEF or FRAGMENT`);
    }
    const parsed = parseSchema(schemaText);
    if (parsed.namespace !== undefined && parsed.namespace !== this.namespace) {
      throw new OpError(`cannot define ${parsed.qualifiedName} in library "${this.namespace}": expected namespace "${this.namespace}", found "${parsed.namespace}"`);
    }
    const schema = parsed.namespace === undefined ? parsed.withNamespace(this.namespace) : parsed;
    if (schema.overload === DEFAULT_OVERLOAD) {
      throw new OpError(`cannot define ${schema.qualifiedName}: overload name "default" is reserved for the op without an overload`);
    }
    if (findOp(schema.qualifiedName) !== undefined) throw new OpError(`${schema.qualifiedName} is already defined`);
    // Validate before adding, so a bad symmMemArgs leaves no half-defined op behind.
    if (options.symmMemArgs !== undefined) validateSymmMemArgs(schema, options.symmMemArgs);
    this.#defs.push(addOp(schema));
    if (options.symmMemArgs !== undefined) this.#register(schema.qualifiedName, options.symmMemArgs);
    return schema;
  }

  /**
   * Registers `fn` as the `backend` kernel of an op of this namespace (`name` or `name.overload`).
   * `Ctx` is the dispatcher's context type; the table stores kernels without it.
   */
  impl<Ctx>(name: string, fn: Kernel<Ctx>, backend: string): void {
    this.#assertLive("impl");
    const entry = this.#resolve(name, "impl");
    if (typeof backend !== "string" || backend === "") {
      throw new OpError(`${entry.schema.qualifiedName}: expected a backend name, found ${JSON.stringify(backend)}`);
    }
    if (entry.impls.has(backend)) {
      throw new OpError(`${entry.schema.qualifiedName} already has a "${backend}" kernel; dispose its library first`);
    }
    // The dispatcher that calls it supplies the Ctx this kernel was written for.
    const kernel = fn as Kernel;
    setKernel(entry, backend, kernel);
    this.#kernels.push({ entry, backend, fn: kernel });
  }

  /** Declares which Tensor arguments of the op must be symmetric; replaces (with a warning) any earlier list. */
  registerSymmMemArgs(name: string, argNames: readonly string[]): void {
    this.#assertLive("registerSymmMemArgs");
    const entry = this.#resolve(name, "registerSymmMemArgs");
    validateSymmMemArgs(entry.schema, argNames);
    this.#register(entry.schema.qualifiedName, argNames);
  }

  /** Removes every op, kernel and registration this library added. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const { name, stored } of this.#registrations) {
      if (symmMemRegistry.get(name) === stored) symmMemRegistry.remove(name);
    }
    for (const { entry, backend, fn } of this.#kernels) removeKernel(entry, backend, fn);
    for (const entry of this.#defs) {
      removeOp(entry);
      // A registration describes a schema that no longer exists, whoever made it.
      symmMemRegistry.remove(entry.schema.qualifiedName);
    }
    if (this.kind === "DEF") defNamespaces.delete(this.namespace);
  }

  #register(name: string, argNames: readonly string[]): void {
    this.#registrations.push({ name, stored: symmMemRegistry.set(name, argNames) });
  }

  #resolve(name: string, verb: string): OpEntry {
    const op = parseOpNameIn(name, this.namespace);
    if (op === undefined) {
      throw new OpError(`${verb}: expected an op name "name", "name.overload" or "${this.namespace}::name", found ${JSON.stringify(name)}`);
    }
    const qualified = formatOpName(op);
    if (op.namespace !== this.namespace) {
      throw new OpError(`${verb}: library "${this.namespace}" cannot reach ${qualified}: expected namespace "${this.namespace}", found "${op.namespace}"`);
    }
    const entry = findOp(qualified);
    if (entry === undefined) throw new OpError(`${verb}: unknown op ${qualified}; define it first`);
    return entry;
  }

  #assertLive(verb: string): void {
    if (this.#disposed) throw new OpError(`${verb}: library "${this.namespace}" (${this.kind}) was disposed`);
  }
}

/** Only Tensor, Tensor? and Tensor[] can live in the heap; so `group_name` can never be one. */
function validateSymmMemArgs(schema: OpSchema, argNames: readonly string[]): void {
  const op = schema.qualifiedName;
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
