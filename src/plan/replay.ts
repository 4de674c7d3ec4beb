/**
 * Replay: the recorded op calls run through the normal dispatcher, in issue order, with every
 * homed value's heap tensor substituted, so each registered argument is already a symmetric
 * tensor of its op's group and the dispatcher realizes nothing. The plan's copies (placement.ts)
 * are started at their places and awaited only before the first op that uses the value (on
 * webgpu a placement copy is a readback: it overlaps the independent ops issued after its
 * producer). A non-collective op writing its result into a home through its out variant (on
 * webgpu `webshmem::mm.out`: the product is read back into the heap) is not awaited either: the
 * next ops are issued while it runs, and it is awaited before the first op that uses its result
 * or touches a tensor it touches (heap regions that overlap, or the same regular tensor), so
 * its readback overlaps later independent work. Collectives are awaited in issue order, as in
 * eager mode (every rank issues them alike). Values the step returns that live in the plan's heap are copied out
 * into new tensors (so a result never changes under the caller at the next call), while a
 * returned step input is the caller's own tensor (after its copy-back).
 */
import type { Tensor } from "../backends/backend.ts";
import type { RankContext } from "../backends/rank-context.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { idsOf, type PlanGraph, type RecordedArg, type RecordedResult } from "./graph.ts";
import type { Placement } from "./place.ts";
import { copyOut, intoHome, outOfHome } from "./copies.ts";

/** Counters a replay adds to. */
export interface ReplayCounters {
  placementCopies: number;
  inputCopies: number;
  copyBacks: number;
  outputCopies: number;
}

/** What a replay needs: the rank, the dispatcher's call, and the plan. */
export interface ReplayPlan {
  readonly rank: RankContext;
  readonly call: (name: string, values: readonly unknown[]) => Promise<unknown>;
  readonly graph: PlanGraph;
  readonly placement: Placement;
  /** Heap tensor of every homed value, by id. */
  readonly homes: ReadonlyMap<number, SymmetricTensor>;
}

/** Runs the plan on `inputs`; returns what the step returns. */
export async function replay(p: ReplayPlan, inputs: readonly unknown[], counters: ReplayCounters): Promise<unknown> {
  const { graph, placement, homes, rank } = p;
  const env = new Map<number, unknown>();
  graph.inputs.forEach((a, position) => {
    if (a.kind === "value") env.set(a.id, inputs[position]);
  });
  // Copies in flight, by value id: awaited before the first op that uses the value.
  const pending = new Map<number, Promise<void>>();
  const settle = async (ids: Iterable<number>) => {
    for (const id of ids) {
      const p = pending.get(id);
      if (p === undefined) continue;
      pending.delete(id);
      await p;
    }
  };
  // Ops and copies in flight, with the tensors they read or write: awaited before anything that
  // touches one of those tensors starts (a home reused by a later value, an in-place op).
  const inFlight: { done: Promise<void>; touched: readonly unknown[] }[] = [];
  const clear = async (touched: readonly unknown[]) => {
    for (let i = 0; i < inFlight.length;) {
      const f = inFlight[i];
      if (!f.touched.some((x) => touched.some((y) => sameTensorMemory(x, y)))) {
        i++;
        continue;
      }
      inFlight.splice(i, 1);
      await f.done;
    }
  };
  const startCopy = async (id: number, copy: () => Promise<void>) => {
    const home = homes.get(id)!;
    await clear([home]);
    const done = started(copy());
    pending.set(id, done);
    inFlight.push({ done, touched: [home] });
    env.set(id, home);
  };
  for (const id of placement.inputCopies) {
    const input = env.get(id) as Tensor;
    await startCopy(id, () => intoHome(rank, input, homes.get(id)!));
    counters.inputCopies++;
  }
  const resolve = (a: RecordedArg): unknown =>
    a.kind === "value" ? env.get(a.id) : a.kind === "list" ? a.items.map(resolve) : a.value;
  try {
    await replayNodes();
  } finally {
    // Nothing may still write a home when the step ends or fails (a failed copy is thrown here).
    const left = [...pending.values()];
    pending.clear();
    const settled = await Promise.allSettled(left);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
  async function replayNodes(): Promise<void> {
    for (const node of graph.nodes) {
      const plan = placement.nodes[node.index];
      await settle(Object.values(node.args).flatMap(idsOf));
      const named: Record<string, unknown> = Object.create(null);
      for (const [name, a] of Object.entries(node.args)) named[name] = resolve(a);
      if (plan.out !== undefined) {
        const { variant, values } = plan.out;
        variant.outArgs.forEach((arg, i) => (named[arg] = homes.get(values[i])));
        const touched = tensorsIn(named);
        await clear(touched);
        const call = p.call(variant.entry.schema.qualifiedName, [named]).then(() => undefined);
        for (const id of values) env.set(id, homes.get(id));
        if (node.group !== undefined) {
          await call;
          continue;
        }
        const done = started(call);
        for (const id of values) pending.set(id, done);
        inFlight.push({ done, touched });
        continue;
      }
      await clear(tensorsIn(named));
      const result = await p.call(node.entry.schema.qualifiedName, [named]);
      bindResult(node.result, result, new Set(node.produced), env);
      for (const id of plan.copiesAfter) {
        const produced = env.get(id) as Tensor;
        await startCopy(id, () => intoHome(rank, produced, homes.get(id)!));
        counters.placementCopies++;
      }
    }
  }
  for (const id of placement.copyBacks) {
    const o = graph.origins[id];
    if (o.kind !== "input") continue;
    await outOfHome(rank, homes.get(id)!, inputs[o.position] as Tensor);
    counters.copyBacks++;
  }
  const copied = new Map<number, unknown>();
  const output = async (r: RecordedResult): Promise<unknown> => {
    switch (r.kind) {
      case "const":
        return r.value;
      case "list": {
        const items: unknown[] = [];
        for (const x of r.items) items.push(await output(x)); // one at a time: a value returned twice is copied once
        return items;
      }
      case "object": {
        const entries: [string, unknown][] = [];
        for (const [k, x] of r.entries) entries.push([k, await output(x)]);
        return Object.fromEntries(entries);
      }
      case "value": {
        const o = graph.origins[r.id];
        if (o.kind === "input") return inputs[o.position];
        const home = homes.get(r.id);
        if (home === undefined) return env.get(r.id);
        if (!copied.has(r.id)) {
          copied.set(r.id, await copyOut(rank, home, graph.values[r.id].backend ?? graph.nodes[o.node].backend));
          counters.outputCopies++;
        }
        return copied.get(r.id);
      }
    }
  };
  return output(graph.output);
}

/** A copy in flight: its failure is thrown where it is awaited, never reported as unhandled first. */
function started(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

/** Records the kernel's actual return for the fresh values of a node. */
function bindResult(r: RecordedResult, actual: unknown, produced: ReadonlySet<number>, env: Map<number, unknown>): void {
  if (r.kind === "value") {
    if (produced.has(r.id)) env.set(r.id, actual);
  } else if (r.kind === "list" && Array.isArray(actual)) {
    r.items.forEach((x, i) => bindResult(x, actual[i], produced, env));
  }
}

/** The tensors among an op's arguments (lists flattened). */
function tensorsIn(named: Readonly<Record<string, unknown>>): unknown[] {
  const out: unknown[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null && "dtype" in v && "shape" in v) out.push(v);
  };
  Object.values(named).forEach(visit);
  return out;
}

/** Whether two tensors share memory: the same tensor, or heap tensors whose bytes overlap. */
function sameTensorMemory(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!(a instanceof SymmetricTensor) || !(b instanceof SymmetricTensor)) return false;
  // The span from the first to the last element (a strided tile's too: conservative, never missed).
  return a.slab === b.slab && a.byteOffset < b.byteOffset + b.spanBytes && b.byteOffset < a.byteOffset + a.spanBytes;
}
