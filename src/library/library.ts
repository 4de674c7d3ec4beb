/**
 * `Library`, after torch.library.Library: a handle through which one piece of code defines ops,
 * registers kernels, symm-mem arguments and meta kernels in the global op table and registry,
 * and through which it takes all of that back with `dispose()`. Every registration returns a
 * RegistrationHandle, as torch.library's registrations do; the library keeps the live ones and
 * `dispose()` releases them, the latest first (torch's `Library._destroy` keeps them likewise).
 */
import { quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { registrationHandle, type RegistrationHandle } from "./handle.ts";
import type { MetaKernel } from "./meta.ts";
import { formatOpName, parseOpNameIn, DEFAULT_OVERLOAD } from "./op-name.ts";
import { addOp, checkMetaKernel, findOp, validateSymmMemArgs, type Kernel, type OpEntry } from "./op-table.ts";
import { parseSchema } from "./schema-parser.ts";
import type { OpSchema } from "./schema.ts";
import { checkTagNames, checkTagRules, warnAliasingReturn, type Tag } from "./tags.ts";

export { findOp, listOps, type Kernel, type OpEntry, type OpHolders } from "./op-table.ts";
export type { RegistrationHandle } from "./handle.ts";
export { isTensorMeta, metaGroups, tensorMeta, type MetaContext, type MetaEnvironment, type MetaKernel, type TensorMeta } from "./meta.ts";
export { metaKernelOf, runMeta } from "./run-meta.ts";
export { TAGS, aliasingReturnWarning, type Tag } from "./tags.ts";

/** DEF owns a namespace (one live DEF per namespace); FRAGMENT adds ops to it; IMPL only adds kernels. */
export type LibraryKind = "DEF" | "FRAGMENT" | "IMPL";

/** What `Library.define` registers together with the schema. */
export interface DefineOptions {
  /** Same as calling `registerSymmMemArgs` right after `define`, kept next to the schema. */
  readonly symmMemArgs?: readonly string[];
  /** Same as calling `registerMeta` right after `define`. */
  readonly meta?: MetaKernel;
  /**
   * torch.Tag names for the op, stored on its entry. `"out"` and `"inplace"` are checked against
   * PyTorch 2.13's rules (docs/schema.md); a broken rule is an OpError that names it, and defines nothing.
   */
  readonly tags?: readonly Tag[];
  /**
   * False: define as PyTorch's C++ `TORCH_LIBRARY` registrations do, without the Python-side
   * deprecation warning for an op that returns an alias of an input with neither Tag.out nor
   * Tag.inplace. The built-in symm_mem ops, whose PyTorch schemas do that, use it. Default true.
   */
  readonly warnOnAliasingReturn?: boolean;
}

/**
 * What `define` returns: the handle of the definition and of what `options` registered with it.
 * `dispose()` removes the op (with every kernel, registration and meta kernel it holds, whoever
 * registered them) if it is still the one defined under its name.
 */
export interface DefinitionHandle extends RegistrationHandle {
  /** The qualified name, `ns::name` or `ns::name.overload`. */
  readonly name: string;
  /** The stored schema, with this library's namespace. */
  readonly schema: OpSchema;
  /** The op's table entry, as `findOp(name)` returns it while the definition is live. */
  readonly entry: OpEntry;
  /** The op's tags (`entry.tags`). */
  readonly tags: readonly Tag[];
}

const NAMESPACE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KINDS: readonly string[] = ["DEF", "FRAGMENT", "IMPL"];

/** Namespaces held by a live DEF library. */
const defNamespaces = new Set<string>();

/**
 * One owner's registrations in a namespace. The constructor throws an OpError when `namespace`
 * is not an identifier, `kind` is not DEF, FRAGMENT or IMPL, or a live DEF library already owns
 * the namespace.
 */
export class Library {
  /** Live handles, in registration order; a handle leaves the set when it is disposed. */
  readonly #handles = new Set<RegistrationHandle>();
  #disposed = false;

  constructor(
    /** The namespace its ops live in, `ns` of `ns::name`. */
    readonly namespace: string,
    /** DEF, FRAGMENT or IMPL (see LibraryKind); an IMPL library cannot `define`. */
    readonly kind: LibraryKind,
  ) {
    if (!NAMESPACE.test(namespace)) {
      throw new OpError(`expected a namespace that is an identifier, found ${quote(namespace)}`);
    }
    if (!KINDS.includes(kind)) throw new OpError(`expected library kind DEF, FRAGMENT or IMPL, found ${quote(kind)}`);
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

  /**
   * Defines an op; a schema without `ns::` gets this library's namespace. `options` registers its
   * symm-mem arguments and meta kernel with it and gives its tags (checked first: a bad option or
   * a broken tag rule defines nothing). An op that returns an alias of an input and is tagged
   * neither "out" nor "inplace" gets PyTorch 2.13's deprecation warning (console.warn, once per op).
   */
  define(schemaText: string, options: DefineOptions = {}): DefinitionHandle {
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
    // Validate before adding, so a bad option leaves no half-defined op behind.
    if (schema.overload.startsWith("__")) {
      throw new OpError(`cannot define ${schema.qualifiedName}: overload names starting with "__" are not legal (PyTorch reserves them)`);
    }
    const { symmMemArgs, meta } = options;
    const tags = checkTagNames(schema.qualifiedName, options.tags ?? []);
    checkTagRules(schema, tags);
    if (symmMemArgs !== undefined) validateSymmMemArgs(schema, symmMemArgs);
    if (meta !== undefined) checkMetaKernel(schema, meta);
    if (options.warnOnAliasingReturn !== false) warnAliasingReturn(schema, tags);
    const { entry, handle: definition } = addOp(schema, tags);
    const parts = [definition];
    if (symmMemArgs !== undefined) parts.push(entry.holders.symmMemArgs.register(symmMemArgs));
    if (meta !== undefined) parts.push(entry.holders.meta.register(meta));
    const own = this.#own(() => {
      for (const part of parts.reverse()) part.dispose();
    });
    return Object.freeze({
      name: schema.qualifiedName,
      schema,
      entry,
      tags,
      dispose: () => own.dispose(),
      get disposed() {
        return own.disposed;
      },
    });
  }

  /**
   * Registers `fn` as the `backend` kernel of an op of this namespace (`name` or `name.overload`).
   * `Ctx` is the dispatcher's context type; the table stores kernels without it.
   */
  impl<Ctx>(name: string, fn: Kernel<Ctx>, backend: string): RegistrationHandle {
    this.#assertLive("impl");
    const entry = this.#resolve(name, "impl");
    // The dispatcher that calls it supplies the Ctx this kernel was written for.
    const handle = entry.holders.kernels.register(backend, fn as Kernel);
    return this.#own(() => handle.dispose());
  }

  /** Declares which Tensor arguments of the op must be symmetric; replaces (with a warning) any earlier list. */
  registerSymmMemArgs(name: string, argNames: readonly string[]): RegistrationHandle {
    this.#assertLive("registerSymmMemArgs");
    const entry = this.#resolve(name, "registerSymmMemArgs");
    const handle = entry.holders.symmMemArgs.register(argNames);
    return this.#own(() => handle.dispose());
  }

  /**
   * Registers the op's meta kernel: its output shapes and dtypes from its input shapes and dtypes
   * (see meta.ts). One per op: a second throws until the first is disposed.
   */
  registerMeta(name: string, fn: MetaKernel): RegistrationHandle {
    this.#assertLive("registerMeta");
    const entry = this.#resolve(name, "registerMeta");
    const handle = entry.holders.meta.register(fn);
    return this.#own(() => handle.dispose());
  }

  /**
   * Releases every registration of this library still live, the latest first: ops, kernels,
   * symm-mem arguments, meta kernels. Each only removes what is still its own, so what another
   * library registered in its place survives. Safe to call twice.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const handle of [...this.#handles].reverse()) handle.dispose();
    this.#handles.clear();
    if (this.kind === "DEF") defNamespaces.delete(this.namespace);
  }

  /** A handle that runs `release` and leaves this library's set when disposed. */
  #own(release: () => void): RegistrationHandle {
    const handle = registrationHandle(() => {
      this.#handles.delete(handle);
      release();
    });
    this.#handles.add(handle);
    return handle;
  }

  #resolve(name: string, verb: string): OpEntry {
    const op = parseOpNameIn(name, this.namespace);
    if (op === undefined) {
      throw new OpError(`${verb}: expected an op name "name", "name.overload" or "${this.namespace}::name", found ${quote(name)}`);
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
