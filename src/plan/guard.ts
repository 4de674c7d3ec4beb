/**
 * A plan's guard: what a call's inputs must match for the plan to be replayed. For every input:
 * a tensor's kind (a backend's tensor or symmetric), backend, dtype and shape, and for a symmetric
 * input its group and row stride (where it lies decides whether it needs a home); a constant
 * input's type and value. Plus the default backend and, for every group the plan's ops use, its
 * ranks. A call whose key differs re-traces (counted in the plan's stats); a stale plan is never run.
 */
import { backendOf } from "../backends/backend.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";

/** What the guard needs from the rank. */
export interface GuardEnvironment {
  /** The rank's default backend. */
  readonly backend: string;
  /** A group's world ranks by name; throws for an unknown group. */
  groupRanks(name: string): readonly number[];
}

/** The key of one input. */
function inputKey(x: unknown): string {
  if (x instanceof SymmetricTensor) {
    const strides = x.isContiguous ? "c" : x.strides.join(",");
    return `symm(${x.group.name}):${x.dtype}[${x.shape.join(",")}]/${strides}`;
  }
  const b = backendOf(x);
  if (b !== undefined) {
    const t = x as { dtype: string; shape: readonly number[] };
    return `${b.name}:${t.dtype}[${t.shape.join(",")}]`;
  }
  return `${typeof x}:${typeof x === "object" && x !== null ? JSON.stringify(x) : String(x)}`;
}

/** The key of a call's inputs alone (what is known before a trace). */
export function inputsKey(inputs: readonly unknown[], env: GuardEnvironment): string {
  // A tensor given twice is one value of the plan: the key says which inputs are the same object.
  const keys = inputs.map((x, i) => {
    const first = typeof x === "object" && x !== null ? inputs.indexOf(x) : i;
    return first === i ? inputKey(x) : `=${first}`;
  });
  return `${env.backend}|${keys.join("|")}`;
}

/** The groups' part of the key: each group the plan used, with its ranks now. */
export function groupsKey(groups: readonly string[], env: GuardEnvironment): string {
  return groups.map((g) => {
    try {
      return `${g}=${env.groupRanks(g).join(",")}`;
    } catch {
      return `${g}=?`;
    }
  }).join(";");
}

/** One input's key, for an error or a description (what a re-plan saw change). */
export function describeInput(x: unknown): string {
  return inputKey(x);
}
