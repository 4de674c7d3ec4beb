/**
 * Placement: every value that reaches a registered symm-mem argument of an op with a group gets a
 * home in that group's heap where it is produced, so the op finds it symmetric and the
 * dispatcher copies nothing. A value produced by an op with an out= variant (out-variant.ts) is
 * written into its home by that variant; a value produced by an op without one is copied into its
 * home right after its producer (a placement copy); a step input is copied into its home once at
 * the step's start (an input copy) and, when an op mutates it, copied back into the caller's
 * tensor at the end (a copy-back), so the caller sees exactly what eager mode leaves. A
 * symmetric tensor input of the op's group needs no home. A value needed in the heaps of two
 * groups gets a home in the first only; the dispatcher realizes it for the other, as in eager
 * mode (and counts it).
 */
import { itemsize } from "../core/dtype.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { argIds, idsOf, type PlanGraph, type PlanNode } from "./graph.ts";
import { type Lifetime, layoutLifetimes } from "./memory.ts";
import { findOutVariant, type OutVariant } from "./out-variant.ts";

/** One value's home: a region of its group's plan allocation. */
export interface Home {
  /** The value's id. */
  readonly id: number;
  /** The group whose heap it lives in. */
  readonly group: string;
  /** Byte offset in the group's plan allocation. */
  readonly offset: number;
  /** Bytes of the value. */
  readonly bytes: number;
  /** Lifetime, as node positions (-1: from the step's start; nodes.length: to its end). */
  readonly start: number;
  readonly end: number;
}

/** How one node runs in the plan. */
export interface NodePlan {
  /** The out= variant it calls instead, and which value each out argument receives. */
  readonly out?: { readonly variant: OutVariant; readonly values: readonly number[] };
  /** Values copied into their homes right after it (producers without an out= variant). */
  readonly copiesAfter: readonly number[];
}

/** The placement of a traced graph. */
export interface Placement {
  /** Homes by value id. */
  readonly homes: ReadonlyMap<number, Home>;
  /** Per node, how it runs. */
  readonly nodes: readonly NodePlan[];
  /** Step inputs copied into their homes at the start: value ids. */
  readonly inputCopies: readonly number[];
  /** Step inputs copied back into the caller's tensor at the end (mutated in their homes). */
  readonly copyBacks: readonly number[];
  /** Bytes of each group's plan allocation, by group, sorted by name. */
  readonly heapBytes: ReadonlyMap<string, number>;
  /** Registered arguments that find their tensor already in the heap, per replay: the realizations eager mode would make. */
  readonly realizationsAvoided: number;
}

/**
 * Places `graph`. `inputs` are the call's inputs: a symmetric tensor input of an op's group is
 * used where it is (the guard keeps that true for every replay).
 */
export function placeGraph(graph: PlanGraph, inputs: readonly unknown[]): Placement {
  const need = new Map<number, string>(); // value id → the group of its first registered use
  let avoided = 0;
  const inputOf = new Map<number, unknown>();
  graph.origins.forEach((o, id) => {
    if (o.kind === "input") inputOf.set(id, inputs[o.position]);
  });
  for (const node of graph.nodes) {
    const registered = node.entry.symmMemArgs ?? [];
    if (node.group === undefined) continue;
    for (const arg of registered) {
      for (const id of argIds(node, arg)) {
        const given = inputOf.get(id);
        if (given instanceof SymmetricTensor && given.group.name === node.group) continue;
        if (!need.has(id)) need.set(id, node.group);
        if (need.get(id) === node.group) avoided++;
      }
    }
  }

  // Producers: an out= variant where one fits (its outs get homes, needed or not), else copies.
  const nodePlans: NodePlan[] = graph.nodes.map((node) => planNode(node, need));
  const homed = new Map<number, string>();
  nodePlans.forEach((p, i) => {
    const node = graph.nodes[i];
    if (p.out !== undefined) p.out.values.forEach((id) => homed.set(id, need.get(id) ?? outGroup(node, p.out!.variant, need)));
    for (const id of p.copiesAfter) homed.set(id, need.get(id)!);
  });
  const inputCopies: number[] = [];
  for (const [id, group] of need) {
    if (graph.origins[id].kind === "input") {
      homed.set(id, group);
      inputCopies.push(id);
    }
  }
  inputCopies.sort((a, b) => a - b);

  const end = graph.nodes.length;
  const lastUse = new Map<number, number>();
  for (const node of graph.nodes) {
    for (const a of Object.values(node.args)) for (const id of idsOf(a)) lastUse.set(id, node.index);
    for (const id of idsOf(node.result)) lastUse.set(id, Math.max(lastUse.get(id) ?? node.index, node.index));
  }
  for (const id of idsOf(graph.output)) lastUse.set(id, end);
  const mutated = new Set<number>();
  for (const node of graph.nodes) for (const a of node.entry.schema.mutatedArgs) for (const id of argIds(node, a)) mutated.add(id);
  const copyBacks = inputCopies.filter((id) => mutated.has(id));
  for (const id of copyBacks) lastUse.set(id, end);

  const byGroup = new Map<string, number[]>();
  for (const [id, group] of homed) byGroup.set(group, [...(byGroup.get(group) ?? []), id]);
  const homes = new Map<number, Home>();
  const heapBytes = new Map<string, number>();
  for (const group of [...byGroup.keys()].sort()) {
    const ids = byGroup.get(group)!.sort((a, b) => a - b);
    const lifetimes: Lifetime[] = ids.map((id) => {
      const o = graph.origins[id];
      const v = graph.values[id];
      const start = o.kind === "input" ? -1 : o.node;
      return { bytes: v.numel * itemsize(v.dtype), start, end: lastUse.get(id) ?? start };
    });
    const layout = layoutLifetimes(lifetimes);
    ids.forEach((id, i) => homes.set(id, { id, group, offset: layout.offsets[i], ...lifetimes[i] }));
    heapBytes.set(group, layout.total);
  }
  return Object.freeze({ homes, nodes: nodePlans, inputCopies, copyBacks, heapBytes, realizationsAvoided: avoided });
}

/** The group an out argument's home goes to when no consumer needs it: the producer's, or a sibling's. */
function outGroup(node: PlanNode, variant: OutVariant, need: ReadonlyMap<number, string>): string {
  if (node.group !== undefined) return node.group;
  for (const id of node.produced) if (need.has(id)) return need.get(id)!;
  return [...need.values()][0];
}

function planNode(node: PlanNode, need: ReadonlyMap<number, string>): NodePlan {
  const wanted = node.produced.filter((id) => need.has(id));
  if (wanted.length === 0) return { copiesAfter: [] };
  const variant = findOutVariant(node.entry);
  if (variant !== undefined && variant.outArgs.length === node.produced.length) {
    // An out argument the variant registers as symm-mem must be a tensor of the producer's group.
    const registered = variant.entry.symmMemArgs ?? [];
    const fits = variant.outArgs.every((arg, i) => {
      const group = need.get(node.produced[i]);
      return !registered.includes(arg) || group === undefined || group === node.group;
    });
    if (fits) return { out: { variant, values: node.produced }, copiesAfter: [] };
  }
  return { copiesAfter: wanted };
}
