/**
 * The recorded op graph of a planned step (trace.ts makes it, place.ts and replay.ts read it):
 * values by id, and the op calls in issue order with their bound arguments, tensors given as
 * value references. Plain data: nothing here runs or allocates.
 */
import type { DType } from "../core/dtype.ts";
import type { OpEntry } from "../library/op-table.ts";

/** A tensor of the step, as the tracer saw it: its id, shape, dtype and where it comes from. */
export class SymbolicTensor {
  constructor(
    /** The value's id in its graph (`%id` in descriptions). */
    readonly id: number,
    /** Sizes of the dimensions, from the meta kernel (or the step input). */
    readonly shape: readonly number[],
    /** Element type. */
    readonly dtype: DType,
    /** The backend whose tensor it is at run time, or undefined for a symmetric tensor input. */
    readonly backend: string | undefined,
  ) {}

  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A recorded argument: a value reference, a list of them (Tensor[]), or a constant. */
export type RecordedArg =
  | { readonly kind: "value"; readonly id: number }
  | { readonly kind: "list"; readonly items: readonly RecordedArg[] }
  | { readonly kind: "const"; readonly value: unknown };

/**
 * What an op (or the step function) returned, by value ids: one id, a list (Tensor[] or a tuple),
 * a plain object of them (a step's result only), or a constant (null, undefined, a number...).
 */
export type RecordedResult =
  | { readonly kind: "value"; readonly id: number }
  | { readonly kind: "list"; readonly items: readonly RecordedResult[] }
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, RecordedResult])[] }
  | { readonly kind: "const"; readonly value: unknown };

/** One op call of the step. */
export interface PlanNode {
  /** Its position in issue order. */
  readonly index: number;
  /** The op's table entry (schema, tags, symm-mem args, kernels). */
  readonly entry: OpEntry;
  /** Bound arguments by name, as the dispatcher binds them (defaults filled). */
  readonly args: Readonly<Record<string, RecordedArg>>;
  /** What it returns, by value ids (an aliased return is the argument's id). */
  readonly result: RecordedResult;
  /** Ids of the fresh tensors it produces (not aliases of its arguments), in return order. */
  readonly produced: readonly number[];
  /** The group its `group_name` names, if any. */
  readonly group: string | undefined;
  /** The backend its kernel runs on (as the dispatcher will choose it). */
  readonly backend: string;
}

/** Where a value comes from. */
export type ValueOrigin =
  | { readonly kind: "input"; readonly position: number }
  | { readonly kind: "node"; readonly node: number };

/** The traced step. */
export interface PlanGraph {
  /** Every tensor value by id. */
  readonly values: readonly SymbolicTensor[];
  /** Where each value (by id) was made. */
  readonly origins: readonly ValueOrigin[];
  /** The step's inputs: a value id for a tensor input, or a constant. */
  readonly inputs: readonly RecordedArg[];
  /** The op calls, in issue order. */
  readonly nodes: readonly PlanNode[];
  /** What the step function returned. */
  readonly output: RecordedResult;
  /** The group names its ops used, sorted. */
  readonly groups: readonly string[];
}

/** Every value id an argument or a result refers to. */
export function idsOf(x: RecordedArg | RecordedResult): number[] {
  if (x.kind === "value") return [x.id];
  if (x.kind === "list") return x.items.flatMap(idsOf);
  if (x.kind === "object") return x.entries.flatMap(([, r]) => idsOf(r));
  return [];
}

/** The value ids of one bound argument of a node. */
export function argIds(node: PlanNode, arg: string): number[] {
  const a = node.args[arg];
  return a === undefined ? [] : idsOf(a);
}
