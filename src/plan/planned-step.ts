/**
 * `rank.plan(fn)`: the planned step. Its first call, and every call whose guard misses, traces
 * `fn` (trace.ts), places the values that reach registered symm-mem arguments (place.ts,
 * memory.ts), allocates the plan's heap (one collective allocation per group it uses, agreed
 * across the group's ranks with the plan's layout: layout-signature.ts) and then runs it; later
 * calls whose inputs match the guard (guard.ts) only replay (replay.ts): no realization and no
 * heap allocation. One plan is kept at a time: a re-plan frees the previous plan's heap first.
 * Calls of one step run one at a time (they share its heap).
 */
import type { RankContext } from "../backends/rank-context.ts";
import { OpError } from "../core/errors.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { Signature } from "../heap/agreement.ts";
import type { Group } from "../heap/group.ts";
import type { PlanGraph } from "./graph.ts";
import { groupsKey, inputsKey } from "./guard.ts";
import { describeGraph, planSignature } from "./layout-signature.ts";
import { placeGraph, type Placement } from "./place.ts";
import { replay } from "./replay.ts";
import { type PlanCaller, type StepFunction, traceStep } from "./trace.ts";

export type { PlanCaller, StepFunction } from "./trace.ts";

/** What a planned step counts (every field only grows, except `heapBytes`). */
export interface PlanStats {
  /** Times the step was traced (the first call, and every re-plan). */
  traces: number;
  /** Traces made because a call's inputs missed the guard of the plan before (shape, dtype, backend, group...). */
  replans: number;
  /** Calls that ran a plan (the first call after a trace included). */
  replays: number;
  /** Registered arguments that found their tensor already in the heap: realizations eager mode would have made. */
  realizationsAvoided: number;
  /** Values copied into their home after a producer that has no out= variant. */
  placementCopies: number;
  /** Step inputs copied into their home at the step's start. */
  inputCopies: number;
  /** Mutated step inputs copied back from their home into the caller's tensor at the step's end. */
  copyBacks: number;
  /** Returned values copied out of the plan's heap into new tensors. */
  outputCopies: number;
  /** Bytes of the current plan's heap, all groups together (0 before the first call or after dispose). */
  heapBytes: number;
  /** Heap allocations the step made (one per group per plan). */
  heapAllocations: number;
}

/** Options of `rank.plan`. */
export interface PlanOptions {
  /** A name for the plan's heap allocations (`plan: <label>` in `symm.allocations()`); default "step". */
  readonly label?: string;
}

/**
 * What `rank.plan(fn)` returns: call it with the step's inputs, as `fn` takes them after its caller.
 * Results are bit for bit what calling the ops eagerly gives. A returned tensor that lived in the
 * plan's heap is a new copy (it stays valid across calls); a returned step input is the caller's
 * own tensor.
 */
export type PlannedStep<A extends unknown[] = unknown[], R = unknown> = ((...inputs: A) => Promise<R>) & {
  /** The step's counters. */
  readonly stats: Readonly<PlanStats>;
  /** The current plan, one line per op (how each runs, where its values live); "" before the first call. */
  describe(): string;
  /** Frees the plan's heap (this rank's part of a collective allocation: call it on every rank); later calls throw. */
  dispose(): void;
};

/** What a planned step needs from the rank (the Rank provides it). */
export interface PlanHost {
  readonly rank: RankContext;
  /** The rank's default backend. */
  readonly backend: string;
  /** The dispatcher's call. */
  call(name: string, values: readonly unknown[]): Promise<unknown>;
  /** The dispatcher's hook for a call on a group under agreement. */
  groupCall<T>(group: string, signature: Signature, body: (group: Group) => Promise<T>): Promise<T>;
  /** Runs `fn` with direct op calls refused (the dispatcher's tracing flag). */
  tracing<T>(fn: () => Promise<T>): Promise<T>;
}

interface Current {
  readonly key: string;
  readonly groupsKey: string;
  readonly graph: PlanGraph;
  readonly placement: Placement;
  readonly allocations: readonly SymmetricTensor[];
  readonly homes: ReadonlyMap<number, SymmetricTensor>;
}

class Planner {
  readonly stats: PlanStats = {
    traces: 0, replans: 0, replays: 0, realizationsAvoided: 0, placementCopies: 0, inputCopies: 0, copyBacks: 0,
    outputCopies: 0, heapBytes: 0, heapAllocations: 0,
  };
  private current: Current | undefined;
  private disposed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: PlanHost,
    private readonly fn: StepFunction,
    private readonly label: string,
  ) {}

  run(inputs: readonly unknown[]): Promise<unknown> {
    const next = this.tail.then(() => this.step(inputs), () => this.step(inputs));
    this.tail = next.catch(() => undefined);
    return next;
  }

  describe(): string {
    const c = this.current;
    if (c === undefined) return "";
    const lines = c.graph.nodes.map((n) => {
      const p = c.placement.nodes[n.index];
      const how = p.out !== undefined ? ` as ${p.out.variant.entry.schema.qualifiedName}` : "";
      const copies = p.copiesAfter.length > 0 ? `, then copies ${p.copiesAfter.map((id) => `%${id}`).join(", ")} into the heap` : "";
      return `${n.index}: ${n.entry.schema.qualifiedName}${how} -> ${n.produced.map((id) => `%${id}`).join(", ") || "()"}${copies}`;
    });
    const homes = [...c.placement.homes.values()].map((h) => `%${h.id} in "${h.group}" at ${h.offset} (${h.bytes} bytes, ops ${h.start}..${h.end})`);
    return [...lines, ...homes.map((h) => `home ${h}`)].join("\n");
  }

  dispose(): void {
    this.free();
    this.disposed = true;
  }

  private async step(inputs: readonly unknown[]): Promise<unknown> {
    if (this.disposed) throw new OpError("rank.plan: this planned step was disposed");
    const env = { backend: this.host.backend, groupRanks: (g: string) => this.host.rank.symm.group(g).ranks };
    const key = inputsKey(inputs, env);
    let c = this.current;
    if (c === undefined || c.key !== key || c.groupsKey !== groupsKey(c.graph.groups, env)) {
      if (c !== undefined) this.stats.replans++;
      this.free();
      c = this.current = await this.plan(inputs, key);
    }
    this.stats.replays++;
    this.stats.realizationsAvoided += c.placement.realizationsAvoided;
    return replay({ rank: this.host.rank, call: (n, v) => this.host.call(n, v), ...c }, inputs, this.stats);
  }

  private async plan(inputs: readonly unknown[], key: string): Promise<Current> {
    const symm = this.host.rank.symm;
    const graph = await this.host.tracing(() =>
      traceStep(this.fn, inputs, { backend: this.host.backend, groupSize: (g: string) => symm.group(g).size }));
    this.stats.traces++;
    const placement = placeGraph(graph, inputs);
    const allocations: SymmetricTensor[] = [];
    const byGroup = new Map<string, SymmetricTensor>();
    try {
      for (const [group, bytes] of placement.heapBytes) {
        const t = await this.host.groupCall(group, planSignature(graph, placement, group), async (g) => {
          const a = symm.empty([bytes], "uint8", { group: g, label: `plan: ${this.label}` });
          await symm.rendezvous(a);
          return a;
        });
        this.stats.heapAllocations++;
        allocations.push(t);
        byGroup.set(group, t);
      }
    } catch (err) {
      for (const a of allocations) if (!a.isFreed) symm.free(a);
      throw err;
    }
    const homes = new Map<number, SymmetricTensor>();
    for (const h of placement.homes.values()) {
      const v = graph.values[h.id];
      homes.set(h.id, byGroup.get(h.group)!.view(h.offset, v.shape, v.dtype));
    }
    this.stats.heapBytes = [...placement.heapBytes.values()].reduce((a, b) => a + b, 0);
    const env = { backend: this.host.backend, groupRanks: (g: string) => symm.group(g).ranks };
    return { key, groupsKey: groupsKey(graph.groups, env), graph, placement, allocations, homes };
  }

  private free(): void {
    const c = this.current;
    this.current = undefined;
    this.stats.heapBytes = 0;
    if (c === undefined) return;
    for (const a of c.allocations) if (!a.isFreed) this.host.rank.symm.free(a);
  }
}

/** The planned step of `fn` on `host` (Rank.plan). */
export function planStep<A extends unknown[], R>(host: PlanHost, fn: StepFunction, options: PlanOptions = {}): PlannedStep<A, R> {
  if (typeof fn !== "function") throw new OpError(`rank.plan: expected a step function, found ${typeof fn}`);
  const label = options.label ?? "step";
  if (typeof label !== "string") throw new OpError(`rank.plan: label must be a string, found ${typeof label}`);
  const planner = new Planner(host, fn, label);
  const step = (...inputs: A) => planner.run(inputs) as Promise<R>;
  return Object.assign(step, {
    stats: planner.stats,
    describe: () => planner.describe(),
    dispose: () => planner.dispose(),
  }) as PlannedStep<A, R>;
}

export { describeGraph };
