/**
 * Replay: the recorded op calls run through the normal dispatcher, in issue order, with every
 * homed value's heap tensor substituted, so each registered argument is already a symmetric
 * tensor of its op's group and the dispatcher realizes nothing. The plan's copies (placement.ts)
 * are started at their places and awaited only before the first op that uses the value (on
 * webgpu a placement copy is a readback: it overlaps the independent ops issued after its
 * producer); values the step returns that live in the plan's heap are copied out
 * into new tensors (so a result never changes under the caller at the next call), while a
 * returned step input is the caller's own tensor (after its copy-back).
 */
import type { Tensor } from "../backends/backend.ts";
import type { RankContext } from "../backends/rank-context.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
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
  for (const id of placement.inputCopies) {
    const home = homes.get(id)!;
    pending.set(id, started(intoHome(rank, env.get(id) as Tensor, home)));
    counters.inputCopies++;
    env.set(id, home);
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
        await p.call(variant.entry.schema.qualifiedName, [named]);
        for (const id of values) env.set(id, homes.get(id));
        continue;
      }
      const result = await p.call(node.entry.schema.qualifiedName, [named]);
      bindResult(node.result, result, new Set(node.produced), env);
      for (const id of plan.copiesAfter) {
        const home = homes.get(id)!;
        pending.set(id, started(intoHome(rank, env.get(id) as Tensor, home)));
        counters.placementCopies++;
        env.set(id, home);
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
