/**
 * The dispatcher's memo of each op's last call on this rank. A call repeated with the same values
 * (each by identity; a trailing named-arguments object property by property) skips the op
 * lookup, argument binding, the backend choice and the agreement signature's construction: the
 * per-call JavaScript that, run cold between two waits, costs every rank ~15-30 µs of CPU in
 * Chromium, which 16 ranks on 2 cores pay one after another (BENCHMARKS.md, issue 14, the call
 * memo). What can change between two such calls is checked on every hit, cheaply:
 *   - the op entry is still live, the backend's kernel is the one bound, the registered symm-mem
 *     arguments are the same list (the registry keeps a registration's array), and no backend
 *     was registered or removed since (backendsGeneration);
 *   - the group of the call's group_name, the op's settings (rank.configure) and the tensors'
 *     liveness are the dispatcher's to check (it does, on every call).
 * Only values that cannot change behind the memo's back are remembered: primitives and tensors
 * (whose dtype, shape and place are fixed at creation). A call with an array or another object
 * among its values is bound afresh every time. The memo holds one call per op spelling, so it
 * keeps at most that many calls' tensors reachable.
 */
import { type Backend, backendsGeneration } from "../backends/backend.ts";
import type { OpContext } from "../backends/context.ts";
import type { Group } from "../heap/group.ts";
import type { Signature } from "../heap/agreement.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { type BoundArgs, type IsTensor, isNamedArgs } from "../library/bind.ts";
import type { Kernel } from "../library/library.ts";
import type { OpEntry } from "../library/op-table.ts";

/** What binding a call decided, reused while the memo's checks hold. */
export interface MemoPlan {
  readonly entry: OpEntry;
  readonly args: BoundArgs;
  readonly backend: Backend;
  readonly kernel: Kernel<OpContext>;
  readonly symmArgs: readonly string[] | undefined;
  /** The group_name argument's group (undefined: the op has none). */
  readonly group: Group | undefined;
  readonly groupName: string | undefined;
  /** The symmetric tensors among the arguments, with their argument names, for the liveness check. */
  readonly symmetric: readonly (readonly [string, SymmetricTensor])[];
  /** The agreement signature, built at the first call that needs it, with the settings it saw. */
  signature: Signature | undefined;
  signatureSettings: unknown;
}

interface Remembered {
  readonly plan: MemoPlan;
  readonly values: readonly unknown[];
  /** A trailing named-arguments object's keys and values (key, value, key, value...), or undefined. */
  readonly named: readonly unknown[] | undefined;
  readonly backends: number;
}

export class CallMemo {
  private readonly calls = new Map<string, Remembered>();
  /** Calls served from the memo, counted by the dispatcher when it replays one (tests and diagnostics). */
  hits = 0;

  /** The plan of the last call of `name` when `values` are that call's and nothing it depends on changed. */
  find(name: string, values: readonly unknown[], isTensor: IsTensor): MemoPlan | undefined {
    const r = this.calls.get(name);
    if (r === undefined || !sameValues(r, values, isTensor)) return undefined;
    const p = r.plan;
    if (!p.entry.live || r.backends !== backendsGeneration() || p.entry.impls.get(p.backend.name) !== p.kernel ||
      p.entry.symmMemArgs !== p.symmArgs) {
      this.calls.delete(name);
      return undefined;
    }
    return p;
  }

  /** Remembers a call that was just bound, when every value is one the memo can compare (see the top). */
  remember(
    name: string, values: readonly unknown[], isTensor: IsTensor,
    plan: Omit<MemoPlan, "symmetric" | "signature" | "signatureSettings">,
  ): MemoPlan | undefined {
    const last = values.length > 0 ? values[values.length - 1] : undefined;
    const hasNamed = isNamedArgs(last, isTensor);
    const positional = hasNamed ? values.length - 1 : values.length;
    for (let i = 0; i < positional; i++) if (!fixed(values[i], isTensor)) return this.forget(name);
    let named: unknown[] | undefined;
    if (hasNamed) {
      named = [];
      for (const k of Object.keys(last as object)) {
        const v = (last as Record<string, unknown>)[k];
        if (!fixed(v, isTensor)) return this.forget(name);
        named.push(k, v);
      }
    }
    const symmetric: (readonly [string, SymmetricTensor])[] = [];
    for (const a of plan.entry.schema.args) {
      const v = plan.args[a.name];
      if (v instanceof SymmetricTensor) symmetric.push([a.name, v]);
    }
    const full: MemoPlan = { ...plan, symmetric, signature: undefined, signatureSettings: undefined };
    this.calls.set(name, { plan: full, values: values.slice(), named, backends: backendsGeneration() });
    return full;
  }

  /** Forgets every call (the world's recovery). */
  clear(): void {
    this.calls.clear();
  }

  private forget(name: string): undefined {
    this.calls.delete(name);
    return undefined;
  }
}

function sameValues(r: Remembered, values: readonly unknown[], isTensor: IsTensor): boolean {
  const old = r.values;
  if (old.length !== values.length) return false;
  const n = r.named === undefined ? old.length : old.length - 1;
  for (let i = 0; i < n; i++) if (old[i] !== values[i]) return false;
  if (r.named === undefined) return true;
  const obj = values[values.length - 1];
  if (obj !== old[old.length - 1] && !isNamedArgs(obj, isTensor)) return false;
  const named = r.named;
  const rec = obj as Record<string, unknown>;
  let keys = 0;
  for (const k in rec) if (Object.hasOwn(rec, k)) keys++;
  if (keys * 2 !== named.length) return false;
  for (let i = 0; i < named.length; i += 2) {
    const k = named[i] as string;
    if (!Object.hasOwn(rec, k) || rec[k] !== named[i + 1]) return false;
  }
  return true;
}

/** A value whose meaning cannot change while the memo holds it: a primitive or a tensor. */
function fixed(v: unknown, isTensor: IsTensor): boolean {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === "object") return isTensor(v);
  return t !== "function";
}
