import { releaseProxy, type Remote } from "comlink";
import { RankError } from "../core/errors.ts";
import { ABORT, type ControlLayout, INTERNAL_CHANNELS, PADS_USED } from "../heap/control.ts";
import { raiseAbort, WORLD_CLOSED } from "../heap/sync/wait.ts";
import type { AdapterSummary } from "../rank/device.ts";
import type { BackendName } from "../rank/rank.ts";
import type { RuntimeName } from "../core/runtime.ts";
import type { RankApi } from "./protocol.ts";
import type { RankWorker } from "./spawn.ts";

/** How long `close()` lets a rank release its device before its worker is ended anyway. */
const SHUTDOWN_GRACE_MS = 3000;

export interface WorldParts {
  readonly runtime: RuntimeName;
  readonly backend: BackendName;
  readonly workers: readonly RankWorker[];
  readonly apis: readonly Remote<RankApi>[];
  readonly adapters: readonly AdapterSummary[];
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly heapBytes: number;
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

/** The main thread's handle on a launched set of ranks. */
export class World {
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly control: Int32Array;

  /** `launch` makes the world from the workers it started. @internal */
  constructor(private readonly parts: WorldParts) {
    this.control = new Int32Array(parts.control);
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
   * Calls are queued: one run at a time.
   */
  run<T = unknown>(fnName: string, ...args: unknown[]): Promise<T[]> {
    const next = this.queue.then(() => this.runNow<T>(fnName, args));
    this.queue = next.catch(() => {});
    return next;
  }

  private async runNow<T>(fnName: string, args: unknown[]): Promise<T[]> {
    if (this.closing !== undefined) throw new RankError(`run("${fnName}"): the world is closed`, -1, "Error");
    const settled = await Promise.allSettled(
      this.parts.apis.map((api, r) => Promise.race([api.run(fnName, args), this.parts.workers[r].died])),
    );
    const failures = settled
      .map((s, rank) => ({ s, rank }))
      .filter((f): f is { s: PromiseRejectedResult; rank: number } => f.s.status === "rejected");
    if (failures.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);

    const blamed = failures.find((f) => errorName(f.s.reason) !== "PeerLostError") ?? failures[0];
    const lost = Atomics.load(this.control, ABORT);
    const origin = lost > 0 ? lost - 1 : blamed.rank;
    const first = failures.find((f) => f.rank === origin) ?? blamed;
    this.resetSync();
    const err = first.s.reason;
    throw new RankError(
      `rank ${first.rank} failed in run("${fnName}"): ${errorName(err)}: ${errorMessage(err)}`,
      first.rank,
      errorName(err),
      { cause: err },
    );
  }

  /** After a failed run: clear the abort word and every signal pad, so the next run starts clean. */
  private resetSync(): void {
    const used = Atomics.load(this.control, PADS_USED);
    for (let i = 0; i < used; i++) Atomics.store(this.control, this.parts.layout.pads + i, 0);
    Atomics.store(this.control, ABORT, 0);
  }

  /** Ends every rank (releasing devices first); safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    // A rank still blocked in a wait gives up at once instead of at its timeout.
    raiseAbort(this.control, WORLD_CLOSED, this.parts.layout.pads);
    const grace = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
    await Promise.all(this.parts.apis.map((api, r) =>
      Promise.race([api.shutdown(), this.parts.workers[r].died, grace(SHUTDOWN_GRACE_MS)]).catch(() => {})));
    for (const api of this.parts.apis) api[releaseProxy]();
    await Promise.all(this.parts.workers.map((w) => w.terminate()));
  }
}
