/**
 * The signature a plan's heap allocation is agreed with across the ranks of a group (the same
 * agreement every collective uses, heap/agreement.ts): the plan's graph (its ops in order, with
 * their shapes, dtypes and constants), the bytes of its allocation in the group, and where each
 * home lies. Ranks whose plans differ get an AgreementError naming the first word that differs
 * ("the plan's heap bytes in group \"world\"", "home of %3 (input of symm_mem::one_shot_all_reduce)'s
 * byte offset", ...) before the allocation is rendezvoused.
 */
import { SIGNATURE_WORDS, type Signature } from "../heap/agreement.ts";
import { hashString } from "../dispatch/signature.ts";
import type { PlanGraph } from "./graph.ts";
import type { Placement } from "./place.ts";

/** The pseudo-op a plan's allocation is agreed as. */
export const PLAN_OP = "webshmem::plan";

/** A text describing the graph: every op with its argument shapes and constants, in order. */
export function describeGraph(graph: PlanGraph): string {
  const v = (id: number) => `%${id}:${graph.values[id].dtype}[${graph.values[id].shape.join(",")}]`;
  const arg = (a: PlanGraph["nodes"][number]["args"][string]): string =>
    a.kind === "value" ? v(a.id) : a.kind === "list" ? `[${a.items.map(arg).join(",")}]` : JSON.stringify(a.value) ?? "undefined";
  return graph.nodes.map((n) => `${n.entry.schema.qualifiedName}(${Object.entries(n.args).map(([k, a]) => `${k}=${arg(a)}`).join(", ")})`).join("; ");
}

/** The signature of `placement`'s allocation in `group`. */
export function planSignature(graph: PlanGraph, placement: Placement, group: string): Signature {
  const names: string[] = [];
  const words: number[] = [];
  const renders: ((x: number) => string)[] = [];
  const graphText = describeGraph(graph);
  const int = (x: number) => String(x);
  const add = (name: string, value: number, render: (x: number) => string = int) => {
    names.push(name);
    words.push(value | 0);
    renders.push(render);
  };
  const graphHash = hashString(graphText);
  add("op", hashString(PLAN_OP), (x) => (x === hashString(PLAN_OP) ? PLAN_OP : `another op (hash ${(x >>> 0).toString(16)})`));
  add("the plan's graph (its ops, shapes, dtypes and constants, in order)", graphHash,
    (x) => (x === graphHash ? (graphText.length > 200 ? `${graphText.slice(0, 197)}...` : graphText) : `another graph (hash ${(x >>> 0).toString(16)})`));
  add(`the plan's heap bytes in group "${group}"`, placement.heapBytes.get(group) ?? 0);
  const homes = [...placement.homes.values()].filter((h) => h.group === group).sort((a, b) => a.id - b.id);
  add(`the number of homes in group "${group}"`, homes.length);
  for (const h of homes) {
    const v = graph.values[h.id];
    const what = `home of %${h.id} (${v.dtype}[${v.shape.join(",")}])`;
    add(`${what}'s byte offset`, h.offset);
    add(`${what}'s bytes`, h.bytes);
  }
  if (words.length > SIGNATURE_WORDS) {
    const keep = SIGNATURE_WORDS - 1;
    let h = 0x811c9dc5;
    for (const w of words.slice(keep)) h = Math.imul(h ^ w, 0x01000193);
    const after = names[keep];
    words.length = names.length = renders.length = keep;
    add(`the layout from ${after} on`, h, (x) => `hash ${(x >>> 0).toString(16)}`);
  }
  return {
    op: PLAN_OP,
    words,
    name: (i) => names[i] ?? `word ${i}`,
    render: (i, value) => (renders[i] ?? int)(value),
  };
}
