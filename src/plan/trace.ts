/**
 * Tracing a step: the step function runs once against a tracing op caller (the shape of
 * `rank.ops` / `rank.call`) whose every call runs the op's meta kernel instead of its kernel and
 * returns symbolic tensors, so the op graph is recorded with shapes, dtypes and aliasing from the
 * schemas, and nothing runs or is allocated. An op without a meta kernel is refused by name (it
 * cannot be placed without knowing its output's shape); a real tensor the function captured
 * instead of taking it as an input is refused too (a replay could not see it change).
 */
import { backendOf } from "../backends/backend.ts";
import { OpError } from "../core/errors.ts";
import { opsProxy, type OpsNamespace } from "../dispatch/ops-proxy.ts";
import { isTensor } from "../dispatch/dispatcher.ts";
import { bindArguments } from "../library/bind.ts";
import { checkMetaResult, isTensorMeta, type MetaEnvironment } from "../library/meta.ts";
import { findOp, listOps } from "../library/op-table.ts";
import { metaKernelOf } from "../library/run-meta.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { type PlanGraph, type PlanNode, type RecordedArg, type RecordedResult, SymbolicTensor, type ValueOrigin } from "./graph.ts";

/** What a step function receives first: an op caller with the shape of `rank.ops` and `rank.call`. */
export interface PlanCaller {
  /** `caller.ops.symm_mem.one_shot_all_reduce(x, "sum", "world")`: every defined operator, by namespace. */
  readonly ops: OpsNamespace;
  /** `caller.call("symm_mem::one_shot_all_reduce", x, "sum", "world")`. */
  call(name: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * A step: an async function of the caller and the step's inputs (tensors, or constants such as
 * numbers and strings) that calls ops through the caller only and returns tensors (one, an
 * array, or a plain object of them) or constants. It runs once per trace, on symbolic tensors:
 * its control flow may depend on shapes, dtypes and constant inputs, never on tensor values.
 */
export type StepFunction = (caller: PlanCaller, ...inputs: never[]) => Promise<unknown>;

/** What tracing needs from the rank. */
export interface TraceEnvironment extends MetaEnvironment {
  /** The rank's default backend (an op with no backend tensor runs there). */
  readonly backend: string;
}

class Tracer {
  readonly values: SymbolicTensor[] = [];
  readonly origins: ValueOrigin[] = [];
  readonly nodes: PlanNode[] = [];
  readonly groups = new Set<string>();

  constructor(private readonly env: TraceEnvironment) {}

  value(shape: readonly number[], dtype: SymbolicTensor["dtype"], backend: string | undefined, origin: ValueOrigin): SymbolicTensor {
    const v = new SymbolicTensor(this.values.length, Object.freeze([...shape]), dtype, backend);
    this.values.push(v);
    this.origins.push(origin);
    return v;
  }

  /** Records one op call; returns what the meta kernel says it returns, as symbolic tensors. */
  call(name: string, values: readonly unknown[]): unknown {
    const entry = findOp(name);
    if (entry === undefined) {
      throw new OpError(`rank.plan: unknown operator "${name}"; defined operators: ${listOps().join(", ") || "none"}`);
    }
    const schema = entry.schema;
    const op = schema.qualifiedName;
    const meta = (() => {
      try {
        return metaKernelOf(entry);
      } catch (e) {
        throw new OpError(`rank.plan: ${op} cannot be planned: ${(e as Error).message}`);
      }
    })();
    const args = bindArguments(schema, values, (v) => v instanceof SymbolicTensor || isTensor(v));
    for (const a of schema.args) this.refuseCaptured(op, a.name, args[a.name]);
    const group = typeof args.group_name === "string" ? args.group_name : undefined;
    if (group !== undefined) this.groups.add(group);
    const result = meta(args, { schema, groupSize: (g: string) => this.env.groupSize(g) });
    checkMetaResult(schema, args, result);
    const backend = this.backendOf(op, schema.args.map((a) => args[a.name]));
    const index = this.nodes.length;
    const produced: number[] = [];
    const known = new Set(this.values);
    const symbolic = (m: unknown): unknown => {
      if (m === null || m === undefined) return m;
      if (Array.isArray(m)) return m.map(symbolic);
      if (m instanceof SymbolicTensor && known.has(m)) return m; // an aliased return: the argument itself
      if (!isTensorMeta(m)) return m;
      const v = this.value(m.shape, m.dtype, backend, { kind: "node", node: index });
      produced.push(v.id);
      return v;
    };
    const out = symbolic(result);
    const recorded: Record<string, RecordedArg> = Object.create(null);
    for (const a of schema.args) recorded[a.name] = recordArg(args[a.name]);
    this.nodes.push(Object.freeze({
      index, entry, args: Object.freeze(recorded), result: recordResult(out), produced: Object.freeze(produced), group, backend,
    }));
    return out;
  }

  private refuseCaptured(op: string, arg: string, value: unknown): void {
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (!(v instanceof SymbolicTensor) && (v instanceof SymmetricTensor || isTensor(v))) {
        throw new OpError(
          `rank.plan: ${op}: argument "${arg}" is a tensor the step function captured, not one of its inputs or ` +
            "a tensor an op of the step returned; pass it to the step as an input, so that every call sees the tensor it is given",
        );
      }
    }
  }

  private backendOf(op: string, args: readonly unknown[]): string {
    const names = new Set<string>();
    for (const a of args) for (const t of Array.isArray(a) ? a : [a]) {
      if (t instanceof SymbolicTensor && t.backend !== undefined) names.add(t.backend);
    }
    if (names.size > 1) throw new OpError(`${op}: tensors from different backends cannot be mixed: ${[...names].join(", ")}`);
    return names.size === 1 ? [...names][0] : this.env.backend;
  }
}

function recordArg(v: unknown): RecordedArg {
  if (v instanceof SymbolicTensor) return { kind: "value", id: v.id };
  if (Array.isArray(v) && v.some((x) => x instanceof SymbolicTensor)) return { kind: "list", items: v.map(recordArg) };
  return { kind: "const", value: v };
}

function recordResult(v: unknown): RecordedResult {
  if (v instanceof SymbolicTensor) return { kind: "value", id: v.id };
  if (Array.isArray(v)) return { kind: "list", items: v.map(recordResult) };
  if (typeof v === "object" && v !== null) {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      return { kind: "object", entries: Object.entries(v).map(([k, x]) => [k, recordResult(x)] as const) };
    }
    throw new OpError(`rank.plan: a step may return tensors, arrays and plain objects of them, and constants; found ${String(v)}`);
  }
  return { kind: "const", value: v };
}

/**
 * Runs `fn` once on symbolic tensors for `inputs` (tensors become symbolic values; other inputs
 * are passed as they are) and returns the recorded graph. Throws an OpError naming an op without
 * a meta kernel, and whatever a meta kernel rejects.
 */
export async function traceStep(fn: StepFunction, inputs: readonly unknown[], env: TraceEnvironment): Promise<PlanGraph> {
  const t = new Tracer(env);
  const recordedInputs: RecordedArg[] = [];
  // The same tensor given twice is one value (a mutation through one is seen through the other).
  const seen = new Map<unknown, SymbolicTensor>();
  const symbolicInputs = inputs.map((x, position) => {
    const again = seen.get(x);
    if (again !== undefined) {
      recordedInputs.push({ kind: "value", id: again.id });
      return again;
    }
    if (x instanceof SymmetricTensor || isTensor(x)) {
      const tensor = x as { shape: readonly number[]; dtype: SymbolicTensor["dtype"] };
      const backend = x instanceof SymmetricTensor ? undefined : backendOf(x)?.name;
      const v = t.value(tensor.shape, tensor.dtype, backend, { kind: "input", position });
      recordedInputs.push({ kind: "value", id: v.id });
      seen.set(x, v);
      return v;
    }
    recordedInputs.push({ kind: "const", value: x });
    return x;
  });
  const caller: PlanCaller = {
    ops: opsProxy((name, args) => asPromise(() => t.call(name, args))),
    call: (name: string, ...args: unknown[]) => asPromise(() => t.call(name, args)),
  };
  const output = await (fn as (c: PlanCaller, ...i: unknown[]) => Promise<unknown>)(caller, ...symbolicInputs);
  const graph: PlanGraph = {
    values: t.values, origins: t.origins, inputs: recordedInputs, nodes: t.nodes,
    output: recordResult(output), groups: [...t.groups].sort(),
  };
  return Object.freeze(graph);
}

function asPromise(f: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}
