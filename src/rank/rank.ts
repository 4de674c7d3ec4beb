/**
 * The composition root of a rank: it builds the layers below (dispatcher, op namespaces,
 * high-level collectives, one-sided calls) and hands each a context it owns. Nothing under src/
 * imports it except the launch layer (which makes one per worker) and the entries.
 */
import "./builtin-backends.ts";
import "../ops/symm_mem/definitions.ts";
import "../ops/symm_mem/kernels.ts";
import "../ops/webshmem/definitions.ts";
import { getBackend, listBackends, type RegularTensor, type Tensor, type TensorData } from "../backends/backend.ts";
import type { OpEvent } from "../backends/context.ts";
import { type AnyTypedArray, type DType, checkShape, normalizeDType } from "../core/dtype.ts";
import type { RuntimeName } from "../core/runtime.ts";
import { type BrokenGroup, Dispatcher, type DispatchStats, type RecoveryState } from "../dispatch/dispatcher.ts";
import { opsProxy, type OpsNamespace } from "../dispatch/ops-proxy.ts";
import type { SymmetricHeap } from "../heap/symmetric-heap.ts";
import { runMeta } from "../library/run-meta.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import {
  allGather, allReduce, broadcast, type CollectiveCaller, reduceScatter,
  type AllReduceOptions, type BroadcastOptions, type CollectiveOptions, type ReduceScatterOptions,
} from "../api/collectives.ts";
import type { SymmetricMemoryHandle } from "../heap/handle.ts";
import * as oneSided from "../heap/one-sided.ts";
import {
  allocating, checkListener, checkOneSided, checkOpName, checkSettings, checkSignalled, checkTensor, checkTensorArgs,
  opNameError,
} from "./entry-checks.ts";
import type { SignalOptions } from "../heap/sync/signal-pad.ts";
import type { AdapterSummary } from "./device.ts";
import { type PlannedStep, type PlanOptions, planStep } from "../plan/planned-step.ts";
import type { PlanCaller } from "../plan/trace.ts";

/** A registered backend's name ("webgpu", "cpu", or a plugin's). */
export type BackendName = string;

/** What a rank function receives first: everything one rank owns. */
export class Rank {
  /** `rank.ops.symm_mem.one_shot_all_reduce(...)`: every defined operator, by namespace. */
  readonly ops: OpsNamespace;
  private readonly dispatcher: Dispatcher;
  private readonly collectives: CollectiveCaller;

  constructor(
    /** This rank's world rank, 0 ≤ rank < worldSize. */
    readonly rank: number,
    /** Number of ranks in the world. */
    readonly worldSize: number,
    /** The JavaScript runtime the rank's worker runs in. */
    readonly runtime: RuntimeName,
    /** The default backend: `tensor` and `zeros` make tensors on it (the launch's `backend`). */
    readonly backend: BackendName,
    /** The rank's own device (webgpu backend), or null. */
    readonly device: GPUDevice | null,
    /** What the rank's adapter is (for a backend other than webgpu: a "cpu" summary). */
    readonly adapter: AdapterSummary,
    /** This rank's side of the symmetric heap: allocation, rendezvous, groups. */
    readonly symm: SymmetricHeap,
  ) {
    this.dispatcher = new Dispatcher(this);
    this.ops = opsProxy((name, args) => this.dispatcher.call(name, args));
    this.collectives = { rank: this, runtime, call: (name, ...args) => this.dispatcher.call(name, args) };
  }

  /** Calls an operator by name: `rank.call("symm_mem::one_shot_all_reduce", t, "sum", "world")`. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    const bad = opNameError(name, "rank.call");
    if (bad !== undefined) return Promise.reject(bad);
    return this.dispatcher.call(name, args);
  }

  /**
   * What `call(name, ...args)` would return, as shapes and dtypes ({ shape, dtype } for each
   * tensor), from the op's meta kernel: nothing runs and nothing is allocated. Arguments may be
   * tensors or `{ shape, dtype }` objects. Throws the op's shape errors, or an OpError naming the
   * op when it has no meta kernel.
   */
  meta(name: string, ...args: unknown[]): unknown {
    checkOpName(name, "rank.meta");
    return runMeta(name, args, { groupSize: (g) => this.symm.group(g).size });
  }

  /**
   * Plans a step ahead of time (docs/plan.md): `fn` gets an op caller (`caller.ops` /
   * `caller.call`, the shape of `rank.ops` / `rank.call`) and the step's inputs, and calls ops
   * through the caller only. The returned step's first call traces `fn` with the ops' meta
   * kernels (an op without one is refused by name), gives every tensor that reaches a registered
   * symm-mem argument a home in its group's heap where it is produced (the producer's out=
   * variant writes it there; otherwise it is copied there after its producer; a step input is
   * copied there once), makes one collective heap allocation per group (agreed across the
   * group's ranks), then runs. Later calls with inputs of the same backends, dtypes, shapes and
   * placement replay with no realization and no heap allocation, bit for bit as eager; other
   * inputs re-plan (counted in `step.stats.replans`). Every rank of a group must plan alike.
   */
  plan<A extends unknown[], R>(fn: (caller: PlanCaller, ...inputs: A) => Promise<R>, options: PlanOptions = {}): PlannedStep<A, Awaited<R>> {
    const dispatcher = this.dispatcher;
    return planStep(
      {
        rank: this,
        backend: this.backend,
        call: (name, values) => dispatcher.call(name, values),
        groupCall: (group, signature, body) => dispatcher.groupCall(group, signature, body),
        tracing: async (f) => {
          dispatcher.tracing++;
          try {
            return await f();
          } finally {
            dispatcher.tracing--;
          }
        },
      },
      fn as never,
      options,
    );
  }

  /** Realizations, copy-backs and workspace allocations the dispatcher made so far. */
  get stats(): Readonly<DispatchStats> {
    return this.dispatcher.stats;
  }

  /**
   * Settings for one op's kernel on this rank (undefined clears them): for example
   * `rank.configure("webshmem::host_all_reduce_", { chunkBytes: 1 << 20 })`. Collective settings
   * must be the same on every rank of a group; the ops that have them check it.
   */
  configure(op: string, settings: Readonly<Record<string, unknown>> | undefined): void {
    checkOpName(op, "configure");
    checkSettings(settings);
    this.dispatcher.configure(op, settings);
  }

  /** Receives what ops report while they run (e.g. the host all-reduce's "trace"); returns the unsubscribe. */
  onEvent(listener: (event: OpEvent) => void): () => void {
    checkListener(listener);
    return this.dispatcher.onEvent(listener);
  }

  /** A regular (non-heap) tensor on this rank's backend, from host data. */
  tensor(data: TensorData, opts: { dtype?: DType | string; shape?: readonly number[] } = {}): RegularTensor {
    const { dtype, shape } = checkTensorArgs(data, opts);
    return allocating("rank.tensor", shape, dtype, () => getBackend(this.backend).createTensor(this, shape, dtype, data));
  }

  /** A regular tensor of zeros on this rank's backend. */
  zeros(shape: readonly number[], dtype: DType | string = "float32"): RegularTensor {
    checkShape(shape, "rank.zeros");
    const dt = normalizeDType(dtype, "rank.zeros");
    return allocating("rank.zeros", shape, dt, () => getBackend(this.backend).createTensor(this, shape, dt));
  }

  /** A host copy of any tensor's elements (for a symmetric tensor: this rank's copy). */
  async read(t: Tensor): Promise<AnyTypedArray> {
    checkTensor(t, "rank.read");
    if (t instanceof SymmetricTensor) return t.elements();
    return getBackend(t.backend).read(this, t);
  }

  /**
   * True when a collective failed on this rank since the last `recover()` (even one whose error
   * the rank function caught): the world then runs a recovery after the run. @internal
   */
  get hadFailures(): boolean {
    return this.dispatcher.hadFailures;
  }

  /**
   * After a failed run, on every rank: waits for the collectives still in flight, drops the dispatcher's workspaces, resets every group's
   * call numbers and this run's broken marks, and reports each group's allocation state, which
   * the world compares across ranks. @internal
   */
  recover(): Promise<RecoveryState> {
    return this.dispatcher.recover();
  }

  /** Marks groups broken for good (a recovery found their ranks' heaps apart). @internal */
  markBroken(groups: readonly BrokenGroup[]): void {
    this.dispatcher.markBroken(groups);
  }

  /** Frees what every backend keeps for this rank (pools, staging buffers); before the device goes. */
  close(): void {
    for (const name of listBackends()) getBackend(name).shutdown?.(this);
  }

  // ── collectives (src/api/collectives.ts): each is one op call ──

  /** The reduction of `t` over the group as a new tensor (`t` unchanged); one- or two-shot by size. */
  allReduce(t: Tensor, opts: AllReduceOptions = {}): Promise<RegularTensor> {
    return allReduce(this.collectives, t, opts);
  }

  /** Sum reduce-scatter: this rank's part of the sum, as a new tensor. */
  reduceScatter(t: Tensor, opts: ReduceScatterOptions = {}): Promise<RegularTensor> {
    return reduceScatter(this.collectives, t, opts);
  }

  /** Every rank's `t` stacked along dim 0, in rank order, as a new tensor. */
  allGather(t: Tensor, opts: CollectiveOptions = {}): Promise<RegularTensor> {
    return allGather(this.collectives, t, opts);
  }

  /** The root's `t` copied into every rank's `t`, in place; returns `t`. */
  broadcast<T extends Tensor>(t: T, opts: BroadcastOptions = {}): Promise<T> {
    return broadcast(this.collectives, t, opts);
  }

  // ── one-sided (src/heap/one-sided.ts): peers are ranks of the tensor's group ──
  // These take no part from the peer, but they need the tensor's rendezvous handle: rendezvous
  // the tensor (collectively) first, or the first call here is that collective rendezvous.

  /** Copies this rank's `t` into `peer`'s copy. */
  async put(t: SymmetricTensor, peer: number): Promise<void> {
    checkOneSided(t, peer, "put");
    oneSided.put(await this.symm.rendezvous(t), t, peer);
  }

  /**
   * `get(t, peer)`: copies `peer`'s copy of `t` into this rank's.
   * `get(dst, handle, peer, offset)`: fills `dst` from `peer`'s buffer of `handle`, `offset`
   * elements (of dst's element size) into the allocation.
   */
  async get(t: SymmetricTensor, peer: number): Promise<void>;
  async get(dst: oneSided.GetDestination, handle: SymmetricMemoryHandle, peer: number, offset?: number): Promise<void>;
  async get(
    dst: oneSided.GetDestination, handleOrPeer: SymmetricMemoryHandle | number, peer?: number, offset = 0,
  ): Promise<void> {
    if (typeof handleOrPeer === "number") {
      const t = checkOneSided(dst, handleOrPeer, "get");
      oneSided.get(await this.symm.rendezvous(t), t, handleOrPeer);
    } else {
      oneSided.getFrom(dst, handleOrPeer, peer as number, offset);
    }
  }

  /** `put(t, peer)`, then raises `peer`'s signal on `channel` of the tensor's group. */
  async putWithSignal(t: SymmetricTensor, peer: number, channel: number, opts: Omit<SignalOptions, "channel"> = {}): Promise<void> {
    checkSignalled(t, peer, channel, opts, "putWithSignal");
    await oneSided.putWithSignal(await this.symm.rendezvous(t), t, peer, channel, opts);
  }

  /** Waits for `peer`'s putWithSignal of `t` on `channel`, then clears the signal. */
  async waitSignal(t: SymmetricTensor, peer: number, channel: number, opts: Omit<SignalOptions, "channel"> = {}): Promise<void> {
    checkSignalled(t, peer, channel, opts, "waitSignal");
    await oneSided.waitSignal(await this.symm.rendezvous(t), peer, channel, opts);
  }
}
