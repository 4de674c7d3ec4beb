import { backendOf, type Backend, getBackend, type Tensor } from "../backends/backend.ts";
import { GroupBrokenError, OpError } from "../core/errors.ts";
import type { Group } from "../heap/group.ts";
import { copyElements, SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { bindArguments, type BoundArgs } from "../library/bind.ts";
import { findOp, listOps, type OpEntry } from "../library/op-table.ts";
import type { OpSchema } from "../library/schema.ts";
import type { OpContext, OpEvent } from "../backends/context.ts";
import type { RankContext } from "../backends/rank-context.ts";
import { layoutSlots, Workspace } from "./workspace.ts";
import { callSignature } from "./signature.ts";
import { CallMemo, type MemoPlan } from "./call-memo.ts";
import type { Signature } from "../heap/agreement.ts";
import type { Kernel } from "../library/library.ts";

export type { OpContext, OpEvent } from "../backends/context.ts";

/** The workspace purpose of the dispatcher's own realizations. */
const REALIZE = "realize";

/** Counters users can read to see every extra copy the dispatcher made. */
export interface DispatchStats {
  /** Arguments copied into a workspace because they were not symmetric tensors of the op's group. */
  realizations: number;
  /** Realized mutated arguments copied back into the caller's tensor. */
  copyBacks: number;
  /** Heap allocations made for workspaces. */
  workspaceAllocations: number;
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof SymmetricTensor || backendOf(value) !== undefined;
}

/** One group's allocation state on one rank, compared across ranks after a failed run. */
export interface GroupAllocationState {
  /** The group's name. */
  readonly name: string;
  /** Allocations made for the group so far (the next allocation's sequence number). */
  readonly allocSeq: number;
  /** Ids of its live allocations, sorted. */
  readonly live: readonly string[];
}

/** What `Rank.recover()` reports: every group this rank is a member of. */
export interface RecoveryState {
  readonly groups: readonly GroupAllocationState[];
}

/** A group to mark broken for good, and why. */
export interface BrokenGroup {
  readonly group: string;
  readonly reason: string;
}

/** A group's queue of collectives: how many are issued and not settled, and the last one. */
interface GroupQueue {
  depth: number;
  tail: Promise<unknown> | undefined;
}

interface Realized {
  readonly arg: string;
  readonly index: number | undefined; // position in a Tensor[] argument
  readonly original: Tensor;
  readonly heap: SymmetricTensor;
}

/**
 * Binds arguments by schema, realizes registered symm-mem arguments in the group's workspace,
 * calls the backend's kernel, copies mutated realized arguments back. Knows no op by name.
 */
export class Dispatcher {
  readonly stats: DispatchStats = { realizations: 0, copyBacks: 0, workspaceAllocations: 0 };
  /** Per group, per purpose ("realize", or what a kernel asks for through ctx.workspace). */
  private readonly workspaces = new Map<Group, Map<string, Workspace>>();
  private readonly warnedNoGroup = new Set<string>();
  private readonly settings = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly listeners = new Set<(event: OpEvent) => void>();

  constructor(private readonly rank: RankContext) {}

  /** True when a collective failed since the last recover(). */
  hadFailures = false;
  /** Per group: the collectives issued and not settled, and the last of them (the group's queue). */
  private readonly queues = new Map<Group, GroupQueue>();
  /** Each op's last call, bound (call-memo.ts). @internal */
  readonly memo = new CallMemo();

  /** See Rank.recover. */
  async recover(): Promise<RecoveryState> {
    // Collectives still in flight (a rank function that threw without awaiting one) settle first:
    // the abort word is still raised, so they fail at their next wait, and undo their allocations.
    await Promise.allSettled([...this.queues.values()].filter((q) => q.depth > 0).map((q) => q.tail));
    for (const byPurpose of this.workspaces.values()) for (const ws of byPurpose.values()) ws.drop();
    this.workspaces.clear();
    this.queues.clear();
    this.memo.clear();
    this.hadFailures = false;
    const groups: GroupAllocationState[] = [];
    for (const g of this.rank.symm.knownGroups()) {
      g.agreement.reset();
      if (g.breakage !== undefined && !g.breakage.forGood) g.breakage = undefined;
      if (g.isMember) groups.push({ name: g.name, ...this.rank.symm.allocationState(g) });
    }
    return { groups };
  }

  /** See Rank.markBroken. */
  markBroken(groups: readonly BrokenGroup[]): void {
    for (const { group, reason } of groups) this.rank.symm.group(group).breakage = { reason, forGood: true };
  }

  /** Settings for one op (by any spelling of its name), handed to its kernel as ctx.settings. */
  configure(name: string, settings: Readonly<Record<string, unknown>> | undefined): void {
    const entry = findOp(name);
    if (entry === undefined) throw new OpError(`configure: unknown operator "${name}"`);
    if (settings === undefined) this.settings.delete(entry.schema.qualifiedName);
    else this.settings.set(entry.schema.qualifiedName, Object.freeze({ ...settings }));
  }

  /** Subscribes to the events kernels emit; returns the unsubscribe function. */
  onEvent(listener: (event: OpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls an op; every error, a bad argument too, is a rejection (never a synchronous throw). */
  call(name: string, values: readonly unknown[]): Promise<unknown> {
    try {
      return this.dispatch(name, values);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private dispatch(name: string, values: readonly unknown[]): Promise<unknown> {
    if (this.tracing > 0) {
      throw new OpError(
        `${name}: called through rank.ops or rank.call while rank.plan traces a step; ` +
          "a step calls ops through the caller it receives as its first argument",
      );
    }
    const memo = this.memo.find(name, values, isTensor);
    if (memo !== undefined) {
      const done = this.replay(memo);
      if (done !== undefined) {
        this.memo.hits++;
        return done;
      }
    }
    const entry = findOp(name);
    if (entry === undefined) {
      throw new OpError(`unknown operator "${name}"; defined operators: ${listOps().join(", ") || "none"}`);
    }
    const schema = entry.schema;
    const args = bindArguments(schema, values, isTensor);
    const backend = this.chooseBackend(schema, args);
    const kernel = entry.impls.get(backend.name);
    if (kernel === undefined) {
      const have = [...entry.impls.keys()];
      throw new OpError(
        `${schema.qualifiedName}: no kernel for backend "${backend.name}" ` +
          `(kernels exist for: ${have.length > 0 ? have.join(", ") : "no backend yet"})`,
      );
    }
    checkLive(schema, args);
    const groupName = typeof args.group_name === "string" ? args.group_name : undefined;
    const group = groupName === undefined ? undefined : this.rank.symm.group(groupName);
    // Read once per call: the getter consults the registry.
    const symmArgs = entry.symmMemArgs;
    const plan = this.memo.remember(name, values, isTensor, { entry, args, backend, kernel, symmArgs, group, groupName });
    if (group === undefined) return this.run(entry, symmArgs, args, backend, kernel, undefined);
    return this.onGroup(group, (q) => this.collective(entry, symmArgs, args, backend, kernel, group, q, plan));
  }

  /**
   * A call the memo bound before: the same checks a fresh call makes after binding (liveness of
   * its symmetric tensors, its group), then the same path. Undefined when its group_name now
   * names another group, and then it is bound afresh: a guard only, since groups are neither
   * removed nor renamed today (`newGroup` refuses a name in use).
   */
  private replay(p: MemoPlan): Promise<unknown> | undefined {
    const op = p.entry.schema.qualifiedName;
    for (const [arg, t] of p.symmetric) t.assertLive(`${op}: argument ${arg}`);
    if (p.groupName === undefined) return this.run(p.entry, p.symmArgs, p.args, p.backend, p.kernel, undefined);
    const group = this.rank.symm.group(p.groupName);
    if (group !== p.group) return undefined;
    return this.onGroup(group, (q) => this.collective(p.entry, p.symmArgs, p.args, p.backend, p.kernel, group, q, p));
  }

  /** A remembered call's agreement signature, rebuilt when the op's settings changed. */
  private signatureOf(p: MemoPlan, group: Group): Signature {
    const settings = this.settings.get(p.entry.schema.qualifiedName);
    if (p.signature === undefined || p.signatureSettings !== settings) {
      p.signature = callSignature(p.entry.schema, p.args, group, p.symmArgs, settings);
      p.signatureSettings = settings;
    }
    return p.signature;
  }

  /**
   * Runs `fn` after every collective issued on `group` before it has settled: one at a time, in
   * issue order. An idle group starts it at once (no promise turn); `fn` must call `q.depth--`
   * when it settles (collective() does, in its finally).
   */
  private onGroup<T>(group: Group, fn: (q: GroupQueue) => Promise<T>): Promise<T> {
    let q = this.queues.get(group);
    if (q === undefined) this.queues.set(group, (q = { depth: 0, tail: undefined }));
    const queue = q;
    const start = () => fn(queue);
    const idle = queue.depth === 0 || queue.tail === undefined;
    queue.depth++;
    const run = idle ? start() : queue.tail!.then(start, start);
    queue.tail = run;
    return run;
  }

  /**
   * A call on a group: agreement (the signature is published before anything else and checked at
   * the first synchronisation; a remembered call's, `memo`, is built once per settings), then the
   * call; on failure every heap allocation it made is undone, its board says it failed (peers
   * waiting for this rank give up), and if this rank had already signalled a peer the group is
   * unusable until the run ends (the world's recovery resets it).
   */
  private collective(
    entry: OpEntry, symmArgs: readonly string[] | undefined, args: BoundArgs, backend: Backend, kernel: Kernel<OpContext>,
    group: Group, queue: GroupQueue, memo: MemoPlan | undefined,
  ): Promise<unknown> {
    const op = entry.schema.qualifiedName;
    const signature = memo !== undefined ? () => this.signatureOf(memo, group)
      : () => callSignature(entry.schema, args, group, symmArgs, this.settings.get(op));
    return this.agreed(op, group, queue, signature, () => this.run(entry, symmArgs, args, backend, kernel, group));
  }

  /**
   * The body of a call on a group under agreement: the signature is published first, then `body`
   * runs; on failure every heap allocation it made is undone, its board says it failed (peers
   * waiting for this rank give up), and if this rank had already signalled a peer the group is
   * unusable until the run ends (the world's recovery resets it).
   */
  private async agreed<T>(op: string, group: Group, queue: GroupQueue, signature: () => Signature, body: () => Promise<T>): Promise<T> {
    const agreement = group.agreement;
    if (!group.isMember || group.breakage !== undefined) {
      queue.depth--;
      if (!group.isMember) {
        throw new OpError(`${op}: rank ${this.rank.rank} is not a member of group "${group.name}" (ranks ${group.ranks.join(", ")})`);
      }
      agreement.refuse();
      throw brokenError(op, group);
    }
    agreement.begin(signature());
    const cp = this.rank.symm.checkpoint(group);
    try {
      const result = await body();
      agreement.end();
      return result;
    } catch (err) {
      const touched = agreement.touched;
      agreement.fail();
      this.rank.symm.rollback(cp);
      this.hadFailures = true;
      if (touched) group.breakage ??= { reason: describeError(err), forGood: false };
      throw err;
    } finally {
      queue.depth--;
    }
  }

  /**
   * A planner's hook (src/plan/): runs `body` (which allocates and rendezvouses on `group`) as one
   * call on the group's queue under agreement with `signature`, exactly like an op's call: in
   * issue order with the group's collectives, ranks whose signatures differ fail with an
   * AgreementError naming the difference, and a failure undoes the body's allocations.
   */
  groupCall<T>(groupName: string, signature: Signature, body: (group: Group) => Promise<T>): Promise<T> {
    try {
      const group = this.rank.symm.group(groupName);
      return this.onGroup(group, (q) => this.agreed(signature.op, group, q, () => signature, () => body(group)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * While a planner traces a step (`tracing > 0`), a call made straight through `rank.ops` or
   * `rank.call` is refused: the step must call ops through the caller it receives. @internal
   */
  tracing = 0;

  private async run(
    entry: OpEntry, symmArgs: readonly string[] | undefined, args: BoundArgs, backend: Backend, kernel: Kernel<OpContext>,
    group: Group | undefined,
  ): Promise<unknown> {
    const schema = entry.schema;
    // Without a promise turn when nothing needs copying (the heap tensors of the common case).
    const realized = mayRealize(symmArgs, args, group) ? await this.realize(entry, symmArgs, args, group, backend) : NOTHING;
    const kernelArgs = realized.length === 0 ? args : substitute(args, realized, (r) => r.heap);
    const result = await kernel(kernelArgs, this.context(schema, backend, group));

    for (const r of realized) {
      if (!schema.mutatedArgs.includes(r.arg)) continue;
      await this.copyOut(backend, r.heap, r.original);
      this.stats.copyBacks++;
    }
    return realized.length === 0 ? result : restoreAliases(schema, result, realized);
  }

  private chooseBackend(schema: OpSchema, args: BoundArgs): Backend {
    // The common case first, without allocating: every regular tensor on one backend.
    let only: string | undefined;
    let mixed = false;
    for (const a of schema.args) {
      const v = args[a.name];
      if (Array.isArray(v)) {
        for (const t of v) mixed = noteBackend(t) || mixed;
      } else mixed = noteBackend(v) || mixed;
    }
    if (mixed) throw mixedBackends(schema, args);
    return getBackend(only ?? this.rank.backend);

    /** Records `t`'s backend; true when it differs from one seen before. */
    function noteBackend(t: unknown): boolean {
      if (t instanceof SymmetricTensor || typeof t !== "object" || t === null) return false;
      const b = backendOf(t);
      if (b === undefined) return false;
      if (only === undefined) only = b.name;
      return b.name !== only;
    }
  }

  private async realize(
    entry: OpEntry, registered: readonly string[] | undefined, args: BoundArgs, group: Group | undefined, backend: Backend,
  ): Promise<readonly Realized[]> {
    if (registered === undefined || registered.length === 0) return [];
    const schema = entry.schema;
    if (group === undefined) {
      if (!this.warnedNoGroup.has(schema.qualifiedName)) {
        this.warnedNoGroup.add(schema.qualifiedName);
        console.warn(`${schema.qualifiedName}: symm-mem arguments are registered (${registered.join(", ")}) but the ` +
          `op has no group_name argument, so they are not realized in the symmetric heap`);
      }
      return [];
    }
    const todo: Omit<Realized, "heap">[] = [];
    for (const name of registered) {
      const value = args[name];
      const list = Array.isArray(value);
      tensorsOf(value).forEach((t, i) => {
        if (t instanceof SymmetricTensor && t.group === group) return;
        todo.push({ arg: name, index: list ? i : undefined, original: t });
      });
    }
    if (todo.length === 0) return [];
    const { offsets, total } = layoutSlots(todo.map((r) => r.original.nbytes));
    const ws = await this.workspace(group, REALIZE).ensure(total);
    const out: Realized[] = [];
    const reads: Promise<void>[] = [];
    for (let i = 0; i < todo.length; i++) {
      const r = todo[i];
      const heap = ws.view(offsets[i], r.original.shape, r.original.dtype);
      // A strided tile of another group is packed row by row; the kernel gets a contiguous copy.
      if (r.original instanceof SymmetricTensor) copyElements(heap, r.original);
      else reads.push(backend.toHeap(this.rank, r.original, heap));
      this.stats.realizations++;
      out.push({ ...r, heap });
    }
    // Every readback in flight at once: one device round trip (on Deno one ~10 ms mapAsync tick)
    // for all of an op's arguments, not one each (BENCHMARKS.md, T5). All settle before a failure
    // is thrown, so nothing is still writing the workspace when the call unwinds.
    const settled = await Promise.allSettled(reads);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return out;
  }

  private async copyOut(backend: Backend, heap: SymmetricTensor, original: Tensor): Promise<void> {
    if (original instanceof SymmetricTensor) copyElements(original, heap);
    else await backend.fromHeap(this.rank, heap, original);
  }

  private context(schema: OpSchema, backend: Backend, group: Group | undefined): OpContext {
    const op = schema.qualifiedName;
    const listeners = this.listeners;
    return {
      rank: this.rank,
      schema,
      backend,
      group,
      settings: this.settings.get(op),
      listening: listeners.size > 0,
      workspace: (purpose: string, bytes: number): Promise<SymmetricTensor<"uint8">> => {
        if (group === undefined) throw new OpError(`${op}: a workspace needs the op's group, and the op has no group_name`);
        return this.workspace(group, `${op}/${purpose}`).ensure(bytes);
      },
      emit: (kind: string, data: unknown) => {
        for (const l of [...listeners]) l({ op, kind, data });
      },
    };
  }

  private workspace(group: Group, purpose: string): Workspace {
    let byPurpose = this.workspaces.get(group);
    if (byPurpose === undefined) this.workspaces.set(group, (byPurpose = new Map()));
    let ws = byPurpose.get(purpose);
    if (ws === undefined) byPurpose.set(purpose, (ws = new Workspace(this.rank.symm, group, this.stats, purpose)));
    return ws;
  }
}

/** "<ErrorName>: <message>" of a thrown value. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function brokenError(op: string, group: Group): GroupBrokenError {
  const b = group.breakage!;
  const why = b.forGood
    ? "any more: after a failed run, its ranks' heaps were found to differ (allocations made on some ranks only)"
    : "until this run ends: an earlier collective on it failed on this rank after signalling its peers";
  return new GroupBrokenError(`${op}: group "${group.name}" cannot be used ${why}. The cause: ${b.reason}`, group.name, b.reason);
}

function mixedBackends(schema: OpSchema, args: BoundArgs): OpError {
  const owners = new Map<string, string[]>();
  for (const a of schema.args) {
    for (const t of tensorsOf(args[a.name])) {
      const b = backendOf(t);
      if (b !== undefined) owners.set(b.name, [...(owners.get(b.name) ?? []), a.name]);
    }
  }
  const found = [...owners].map(([b, names]) => `${names.join(", ")} on ${b}`).join("; ");
  return new OpError(`${schema.qualifiedName}: tensors from different backends cannot be mixed: ${found}`);
}

/** Every symmetric tensor among the arguments must be live (use after free is an error on every backend). */
function checkLive(schema: OpSchema, args: BoundArgs): void {
  for (const a of schema.args) {
    for (const t of tensorsOf(args[a.name])) {
      if (t instanceof SymmetricTensor) t.assertLive(`${schema.qualifiedName}: argument ${a.name}`);
    }
  }
}

const NOTHING: readonly Realized[] = Object.freeze([]);

/**
 * False when realize() would copy nothing and say nothing: no registered argument, or each one a
 * symmetric tensor of the op's group already (or not a tensor).
 */
function mayRealize(registered: readonly string[] | undefined, args: BoundArgs, group: Group | undefined): boolean {
  if (registered === undefined || registered.length === 0) return false;
  if (group === undefined) return true; // realize() warns once
  for (const name of registered) {
    const v = args[name];
    if (Array.isArray(v)) {
      for (const t of v) if (!(t instanceof SymmetricTensor && t.group === group) && isTensor(t)) return true;
    } else if (!(v instanceof SymmetricTensor && v.group === group) && isTensor(v)) return true;
  }
  return false;
}

function tensorsOf(value: unknown): Tensor[] {
  if (Array.isArray(value)) return value.filter(isTensor);
  return isTensor(value) ? [value] : [];
}

function substitute(args: BoundArgs, realized: readonly Realized[], pick: (r: Realized) => Tensor): BoundArgs {
  const out: Record<string, unknown> = { ...args };
  for (const r of realized) {
    if (r.index === undefined) out[r.arg] = pick(r);
    else {
      const list = [...(out[r.arg] as unknown[])];
      list[r.index] = pick(r);
      out[r.arg] = list;
    }
  }
  return Object.freeze(out);
}

/** A return that aliases a realized argument is the caller's own tensor, as `(a!)` promises. */
function restoreAliases(schema: OpSchema, result: unknown, realized: readonly Realized[]): unknown {
  const aliases = schema.returnAliases();
  const swap = (value: unknown, arg: string | undefined): unknown => {
    if (arg === undefined) return value;
    const r = realized.find((x) => x.arg === arg && x.heap === value);
    if (r !== undefined) return r.original;
    const whole = realized.filter((x) => x.arg === arg && x.index !== undefined);
    if (Array.isArray(value) && whole.length > 0) {
      return value.map((v) => whole.find((x) => x.heap === v)?.original ?? v);
    }
    return value;
  };
  if (aliases.length === 1) return swap(result, aliases[0]);
  if (Array.isArray(result) && aliases.length === result.length) return result.map((v, i) => swap(v, aliases[i]));
  return result;
}
