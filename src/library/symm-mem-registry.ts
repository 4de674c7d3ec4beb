/**
 * Which arguments of each operator must live in the symmetric heap. Plain data keyed by
 * qualified op name, like the SymmMemArgsHolder in PyTorch's torch/_library/simple_registry.py:
 * the dispatcher consults it, Library writes it (after checking names against the schema).
 */
import { quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import { canonicalOpName, opKey } from "./op-name.ts";

/**
 * Symm-mem argument names by op. Op names are qualified (`ns::name[.overload]`); `ns::name.default`
 * is the same op as `ns::name`.
 */
export class SymmMemRegistry {
  readonly #args = new Map<string, readonly string[]>();

  /** The registered argument names, or undefined when the op has none registered. */
  get(opName: string): readonly string[] | undefined {
    return this.#args.get(opKey(opName));
  }

  /** True when `opName` has a registration. */
  isRegistered(opName: string): boolean {
    return this.#args.has(opKey(opName));
  }

  /** True when `argName` is one of the registered symm-mem arguments of `opName`. */
  isSymmMemArg(opName: string, argName: string): boolean {
    return this.get(opName)?.includes(argName) ?? false;
  }

  /**
   * Registers (or replaces, with a warning) the symm-mem arguments of `opName` and returns the
   * stored, frozen list — its identity tells an owner whether the entry is still its own.
   */
  set(opName: string, args: readonly string[]): readonly string[] {
    const k = canonicalOpName(opName);
    if (k === undefined) throw new OpError(`expected an operator name "ns::name[.overload]", found ${quote(opName)}`);
    if (args.length === 0) throw new OpError(`${k}: cannot register an empty list of symm_mem arguments`);
    const previous = this.#args.get(k);
    const stored = Object.freeze([...args]);
    if (previous !== undefined) {
      console.warn(`${k}: symm_mem arguments re-registered; [${previous.join(", ")}] replaced by [${stored.join(", ")}]`);
    }
    this.#args.set(k, stored);
    return stored;
  }

  /** Removes the registration; true when there was one. */
  remove(opName: string): boolean {
    return this.#args.delete(opKey(opName));
  }

  /** Qualified names of every op with a registration, sorted. */
  registeredOps(): string[] {
    return [...this.#args.keys()].sort();
  }
}

/** The process-wide registry (per worker: each rank has its own module instance). */
export const symmMemRegistry = new SymmMemRegistry();
