import { releaseProxy, type Remote } from "comlink";
import { RankError, WorkerLostError } from "../core/errors.ts";
import type { BrokenGroup, RecoveryState } from "../dispatch/dispatcher.ts";
import { ABORT, BOARD_WORDS, type ControlLayout, DEATHS, INTERNAL_CHANNELS, MAX_GROUPS, PADS_USED } from "../heap/control.ts";
import { markDead, raiseAbort, WORLD_CLOSED } from "../heap/sync/wait.ts";
import type { AdapterSummary } from "../rank/device.ts";
import type { BackendName } from "../rank/rank.ts";
import type { RuntimeName } from "../core/runtime.ts";
import type { RankApi, RunOutcome } from "./protocol.ts";
import type { RankWorker } from "./spawn.ts";
import { settledWithin, within } from "./timers.ts";

/** How long `close()` lets a rank release its device before its worker is ended anyway. */
const SHUTDOWN_GRACE_MS = 3000;
/** How long a rank gets to answer a recovery step (a local reset, normally well under a millisecond). */
export const RECOVERY_TIMEOUT_MS = 10_000;

export interface WorldParts {
  readonly runtime: RuntimeName;
  readonly backend: BackendName;
  readonly workers: readonly RankWorker[];
  readonly apis: readonly Remote<RankApi>[];
  readonly adapters: readonly AdapterSummary[];
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly heapBytes: number;
  /** Whether the slabs are shared WebAssembly memories (LaunchOptions.wasmHeap); default false. */
  readonly wasmHeap?: boolean;
  /** How long a rank gets to answer a recovery step; RECOVERY_TIMEOUT_MS unless a test says otherwise. */
  readonly recoveryTimeoutMs?: number;
}

/**
 * A copy of every signal-pad word the ranks' groups use, taken by `World.signalPads()`: for
 * pages that draw the pads while a collective runs. Where each group's words lie is in the
 * ranks' `symm.snapshot().groups` (`padWord` computes a slot's index); the world group is
 * always first, at word 0, with `worldSize` ranks.
 */
export interface SignalPadWords {
  /** The pad words, from the start of the pad area (a copy: writing it changes nothing). */
  readonly words: Int32Array;
  /** Ranks in the world. */
  readonly worldSize: number;
  /** User channels per pad (the launch's `signalChannels`). */
  readonly channels: number;
  /** Internal channels after the user ones (rendezvous, group creation). */
  readonly internalChannels: number;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A run() not yet settled: queued, or in flight once `started`. */
interface PendingRun {
  readonly fnName: string;
  started: boolean;
  readonly reject: (err: unknown) => void;
}

/** Why the world can run nothing more: a worker died, or a recovery failed. */
interface Lost {
  /** The rank to blame. */
  readonly rank: number;
  /** RankError.rankErrorName of every later run's rejection. */
  readonly name: string;
  readonly cause: Error;
}

/** Marks a value as "the world was lost while waiting". */
const LOST: unique symbol = Symbol("lost");

/** The groups whose states differ across the ranks that report them, each with `reason`. */
export function groupsApart(states: readonly RecoveryState[], reason: string): BrokenGroup[] {
  const seen = new Map<string, string>();
  const apart = new Set<string>();
  for (const state of states) {
    for (const g of state.groups) {
      const key = `${g.allocSeq}|${[...g.live].join(",")}`;
      const first = seen.get(g.name);
      if (first === undefined) seen.set(g.name, key);
      else if (first !== key) apart.add(g.name);
    }
  }
  return [...apart].map((group) => ({ group, reason }));
}

/** The main thread's handle on a launched set of ranks. */
export class World {
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly control: Int32Array;
  private readonly pending = new Set<PendingRun>();
  private lost: Lost | undefined;
  /** Called once when the world is lost (each waiter removes itself when done). */
  private readonly lostWaiters = new Set<() => void>();
  private readonly dead = new Set<number>();
  /** The recovery after the last run, if it needed one; the next run starts after it. Never rejects. */
  private recovery: Promise<void> = Promise.resolve();

  /** `launch` makes the world from the workers it started. @internal */
  constructor(private readonly parts: WorldParts) {
    this.control = new Int32Array(parts.control);
    parts.workers.forEach((w, r) => {
      w.died.catch((err: unknown) => this.workerDied(r, err));
    });
  }

  /** Number of ranks (one worker each). */
  get worldSize(): number {
    return this.parts.workers.length;
  }

  /** Every rank's default backend (the launch's `backend`). */
  get backend(): BackendName {
    return this.parts.backend;
  }

  /** The JavaScript runtime the world was launched in; its ranks run in workers of the same one. */
  get runtime(): RuntimeName {
    return this.parts.runtime;
  }

  /** Bytes of each rank's heap slab: the launch's `heapBytes` rounded up to HEAP_ALIGNMENT. */
  get heapBytes(): number {
    return this.parts.heapBytes;
  }

  /**
   * Whether the heap slabs are shared WebAssembly memories, which the host reductions read in
   * place (`LaunchOptions.wasmHeap`, where the runtime has multi-memory), or plain SharedArrayBuffers.
   */
  get wasmHeap(): boolean {
    return this.parts.wasmHeap ?? false;
  }

  /** Each rank's adapter, in rank order. */
  get adapters(): readonly AdapterSummary[] {
    return this.parts.adapters;
  }

  /**
   * A copy of the signal-pad words of every group the ranks have created (non-blocking, cheap:
   * one copy of `PADS_USED` words; call it every animation frame while a collective runs).
   * A slot is 1 from a `putSignal` until its `waitSignal` consumes it, so after a completed
   * synchronisation every word is 0 again.
   */
  signalPads(): SignalPadWords {
    const { pads, channels } = this.parts.layout;
    const used = Atomics.load(this.control, PADS_USED);
    return {
      words: this.control.slice(pads, pads + used),
      worldSize: this.worldSize,
      channels,
      internalChannels: INTERNAL_CHANNELS,
    };
  }

  /** True once `close()` was called (the ranks may still be ending); `run` then rejects. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Calls `fnName` of the rank module in every rank, with the Rank first, and resolves to the
   * per-rank results in rank order. If any rank throws, rejects with a RankError naming the rank
   * that failed first (peers that were only abandoned report PeerLostError and are not blamed).
   * Calls are queued: one run at a time. After a failed run the world recovers before the next
   * one (see README, Failure semantics). A rank whose worker ends (exits, crashes, closes itself)
   * loses the world: the run in flight rejects with a RankError naming that rank (rankErrorName
   * "WorkerLostError"), and so does every later run, at once. `close()` rejects every run not
   * yet settled.
   */
  run<T = unknown>(fnName: string, ...args: unknown[]): Promise<T[]> {
    if (this.closing !== undefined) return Promise.reject(new RankError(`run("${fnName}"): the world is closed`, -1, "Error"));
    if (this.lost !== undefined) return Promise.reject(this.lostError(fnName));
    return new Promise<T[]>((resolve, reject) => {
      const entry: PendingRun = { fnName, started: false, reject };
      this.pending.add(entry);
      const next = this.queue.then(() => this.runNow<T>(entry, args));
      this.queue = next.then(() => {}, () => {});
      next.then(
        (v) => {
          this.pending.delete(entry);
          resolve(v);
        },
        (e) => {
          this.pending.delete(entry);
          reject(e);
        },
      );
    });
  }

  private async runNow<T>(entry: PendingRun, args: unknown[]): Promise<T[]> {
    const { fnName } = entry;
    await this.recovery;
    if (this.closing !== undefined) throw new RankError(`run("${fnName}"): the world is closed`, -1, "Error");
    if (this.lost !== undefined) throw this.lostError(fnName);
    entry.started = true;
    const runs = this.parts.apis.map((api) => api.run(fnName, args) as Promise<RunOutcome>);
    const settled = await this.unlessLost(Promise.allSettled(runs));
    if (settled === LOST || this.lost !== undefined) throw this.lostError(fnName, true);

    const failures = settled
      .map((s, rank) => ({ s, rank }))
      .filter((f): f is { s: PromiseRejectedResult; rank: number } => f.s.status === "rejected");
    if (failures.length === 0) {
      const outcomes = settled.map((s) => (s as PromiseFulfilledResult<RunOutcome>).value);
      const failed = outcomes.flatMap((o, r) => (o.hadFailures ? [r] : []));
      if (failed.length > 0) {
        this.recovery = this.recoverAfter(
          fnName,
          `a collective failed in run("${fnName}") on rank${failed.length > 1 ? "s" : ""} ${failed.join(", ")}, ` +
            "which caught its error",
        );
      }
      return outcomes.map((o) => o.value as T);
    }

    const blamed = failures.find((f) => errorName(f.s.reason) !== "PeerLostError") ?? failures[0];
    const lost = Atomics.load(this.control, ABORT);
    const origin = lost > 0 ? lost - 1 : blamed.rank;
    const first = failures.find((f) => f.rank === origin) ?? blamed;
    const err = first.s.reason;
    // Recovery runs after the rejection: the next run waits for it, this one does not.
    this.recovery = this.recoverAfter(fnName, `${errorName(err)}: ${errorMessage(err)}`);
    throw new RankError(
      `rank ${first.rank} failed in run("${fnName}"): ${errorName(err)}: ${errorMessage(err)}`,
      first.rank,
      errorName(err),
      { cause: err },
    );
  }

  /** `p`, or LOST as soon as the world is lost (at once if it already is). */
  private unlessLost<T>(p: Promise<T>): Promise<T | typeof LOST> {
    if (this.lost !== undefined) return Promise.resolve(LOST);
    let waiter: (() => void) | undefined;
    const lost = new Promise<typeof LOST>((resolve) => {
      waiter = () => resolve(LOST);
      this.lostWaiters.add(waiter);
    });
    return Promise.race([p, lost]).finally(() => this.lostWaiters.delete(waiter!));
  }

  /** The RankError of a run on a lost world (`during`: the run was in flight when it was lost). */
  private lostError(fnName: string, during = false): RankError {
    const { rank, name, cause } = this.lost!;
    const what = `${name}: ${cause.message}`;
    return new RankError(
      during ? `rank ${rank} failed in run("${fnName}"): ${what}`
        : `run("${fnName}"): the world was lost earlier (rank ${rank}, ${what}); close it and launch a new one`,
      rank,
      name,
      { cause },
    );
  }

  private loseWorld(lost: Lost): void {
    if (this.lost !== undefined) return;
    this.lost = lost;
    for (const w of [...this.lostWaiters]) w();
  }

  /** A worker ended on its own: peers blocked on it fail now, and the world is lost. */
  private workerDied(rank: number, err: unknown): void {
    if (this.closing !== undefined) return;
    this.dead.add(rank);
    const cause = err instanceof WorkerLostError ? err
      : new WorkerLostError(`rank ${rank}'s worker ended: ${errorMessage(err)}`, rank, undefined);
    markDead(this.control, rank, cause.exitCode, this.parts.layout.pads);
    this.loseWorld({ rank, name: "WorkerLostError", cause });
  }

  /**
   * After a run in which a rank failed: every rank resets its transient state and reports its
   * groups' allocation states; the world clears the pads, the abort word and the agreement
   * boards, and marks broken, on every rank, each group whose states differ. A rank that fails
   * to recover, or does not answer within RECOVERY_TIMEOUT_MS, loses the world.
   */
  private async recoverAfter(fnName: string, reason: string): Promise<void> {
    const { apis } = this.parts;
    const ms = this.parts.recoveryTimeoutMs ?? RECOVERY_TIMEOUT_MS;
    const step = async <T>(what: string, call: (api: Remote<RankApi>) => Promise<T>): Promise<T[] | undefined> => {
      const answers = await this.unlessLost(Promise.all(apis.map((api, r) =>
        within(call(api), ms, () => new RankError(
          `rank ${r} did not answer ${what} within ${ms} ms after run("${fnName}") failed`, r, "TimeoutError",
        )).catch((e: unknown) => {
          throw e instanceof RankError ? e : new RankError(
            `rank ${r} could not recover after run("${fnName}") failed: ${errorName(e)}: ${errorMessage(e)}`, r, errorName(e),
            { cause: e },
          );
        }))));
      return answers === LOST || this.closing !== undefined ? undefined : answers;
    };
    try {
      const states = await step("recover()", (api) => api.recover() as Promise<RecoveryState>);
      if (states === undefined || this.lost !== undefined || this.closing !== undefined) return;
      this.resetSync();
      const broken = groupsApart(states, reason);
      if (broken.length > 0) await step("markBroken()", (api) => api.markBroken(broken));
    } catch (e) {
      const err = e as RankError;
      if (this.closing === undefined) this.loseWorld({ rank: err.rank, name: err.rankErrorName, cause: err });
    }
  }

  /**
   * After a failed run, once every rank recovered: clear the abort word, every signal pad and
   * every agreement board, so the next run starts clean. A worker recorded dead raises the
   * abort word again.
   */
  private resetSync(): void {
    const { pads, boards, worldSize } = this.parts.layout;
    const used = Atomics.load(this.control, PADS_USED);
    for (let i = 0; i < used; i++) Atomics.store(this.control, pads + i, 0);
    this.control.fill(0, boards, boards + MAX_GROUPS * worldSize * BOARD_WORDS);
    Atomics.store(this.control, ABORT, 0);
    for (let r = 0; r < worldSize; r++) {
      if (Atomics.load(this.control, DEATHS + r) !== 0) raiseAbort(this.control, r, pads);
    }
  }

  /**
   * Ends every rank (releasing devices first); safe to call more than once. Every run not yet
   * settled rejects at once with a RankError (rank -1) saying the world was closed.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const pending = [...this.pending];
    this.pending.clear();
    for (const p of pending) {
      p.reject(new RankError(
        p.started ? `run("${p.fnName}"): the world was closed during run("${p.fnName}")`
          : `run("${p.fnName}"): the world was closed during run("${p.fnName}"), before it started (it waited for an earlier run)`,
        -1,
        "Error",
      ));
    }
    // A rank still blocked in a wait gives up at once instead of at its timeout.
    raiseAbort(this.control, WORLD_CLOSED, this.parts.layout.pads);
    const { apis, workers } = this.parts;
    await Promise.all(apis.map((api, r) =>
      this.dead.has(r) ? Promise.resolve()
        : settledWithin(Promise.race([api.shutdown(), workers[r].died]), SHUTDOWN_GRACE_MS)));
    for (const api of apis) api[releaseProxy]();
    await Promise.all(workers.map((w) => w.terminate().catch(() => {})));
  }
}
