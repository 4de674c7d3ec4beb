/**
 * The one wait loop of the library: signal pads (CAS on a pad slot) and the host pipeline's
 * per-chunk progress counters both wait here. It spins for the realm's budget (spin-policy.ts:
 * long while every busy thread has a core, briefly when they share them, not at all while spins
 * measurably do not pay), then sleeps on the word in slices of at most SLICE_MS, so the abort
 * word and the caller's own failure checks are seen soon even if a wake-up is missed. It throws
 * PeerLostError as soon as the abort word is set and TimeoutError after `timeoutMs` (0: no
 * timeout, as in PyTorch).
 */
import { PeerLostError, TimeoutError } from "../../core/errors.ts";
import { canBlock } from "../../core/runtime.ts";
import { ABORT, DEATHS, PADS_USED } from "../control.ts";
import { spinGauge, spinPolicy } from "./spin-policy.ts";

/** Longest single sleep, so a missed wake-up still sees the abort word soon. */
export const SLICE_MS = 50;

/** Abort word value set by `World.close()` while ranks may still wait. */
export const WORLD_CLOSED = -1;

export interface WaitSpec {
  /** True when the wait is over; may act (a compare-exchange). Called once per check. */
  readonly attempt: () => boolean;
  /** The word to sleep on, and the value it holds while nothing has changed. */
  readonly i32: Int32Array;
  readonly index: number;
  readonly sleepValue: () => number;
  /** The world's control words (abort word first). */
  readonly control: Int32Array;
  readonly timeoutMs: number;
  /** Spin this many microseconds before the first sleep; default: the realm's policy (spin-policy.ts). */
  readonly spinUs?: number;
  /** Sleep with Atomics.waitAsync even where Atomics.wait could block (readbacks are in flight). */
  readonly neverBlock?: boolean;
  /** Runs before every sleep; throws to give up (another part of this rank failed). */
  readonly check?: () => void;
  /** Called after a wait that had to sleep succeeded (diagnostics). */
  readonly woke?: () => void;
  /** "abandoned while waiting for ...": what to say when the abort word is set. */
  readonly describe: () => string;
  /** The error to throw at the deadline. */
  readonly timeout: () => TimeoutError;
  /** This rank's world rank, for PeerLostError. */
  readonly rank: number;
}

/** The death word of a worker that ended: 1 without an exit code, 2 + code with one. */
export function deathCode(exitCode: number | undefined): number {
  return exitCode === undefined || !Number.isInteger(exitCode) || exitCode < 0 ? 1 : 2 + exitCode;
}

/** "rank 2's worker exited with code 3" for a death word, undefined for 0 (alive). */
export function describeDeath(rank: number, code: number): string | undefined {
  if (code === 0) return undefined;
  return code === 1 ? `rank ${rank}'s worker ended (closed itself, crashed or was terminated)`
    : `rank ${rank}'s worker exited with code ${code - 2}`;
}

/** Records that `rank`'s worker ended and raises the abort word for it (main thread, or the worker itself). */
export function markDead(control: Int32Array, rank: number, exitCode: number | undefined, padStart: number): void {
  Atomics.compareExchange(control, DEATHS + rank, 0, deathCode(exitCode));
  raiseAbort(control, rank, padStart);
}

/** Why the abort word is set, and the rank that failed (-1: the world was closed). */
export function abortReason(lost: number, control?: Int32Array): { why: string; failed: number } {
  if (lost === WORLD_CLOSED) return { why: "the world was closed", failed: -1 };
  const died = control === undefined ? undefined : describeDeath(lost - 1, Atomics.load(control, DEATHS + lost - 1));
  return { why: died ?? `rank ${lost - 1} failed in this run`, failed: lost - 1 };
}

/**
 * Spins for the wait's budget (checking the clock every 64 attempts) while spinning pays in this
 * realm (spinGauge); true when the wait is over.
 */
function spin(w: WaitSpec): boolean {
  const us = w.spinUs ?? spinPolicy().spinUs;
  if (us <= 0 || !spinGauge.pays()) return false;
  const until = performance.now() + us / 1000;
  do {
    for (let i = 0; i < 64; i++) {
      if (w.attempt()) {
        spinGauge.record(true);
        return true;
      }
    }
  } while (performance.now() < until);
  spinGauge.record(false);
  return false;
}

/** Resolves once `attempt()` returns true. */
export async function waitUntil(w: WaitSpec): Promise<void> {
  if (w.attempt() || spin(w)) return;
  const blocking = !w.neverBlock && canBlock();
  // A timeout of 0 means none, as in PyTorch.
  const deadline = w.timeoutMs === 0 ? Infinity : performance.now() + w.timeoutMs;
  for (;;) {
    const seen = w.sleepValue();
    if (w.attempt()) {
      w.woke?.();
      return;
    }
    w.check?.();
    const lost = Atomics.load(w.control, ABORT);
    if (lost !== 0) {
      const { why, failed } = abortReason(lost, w.control);
      throw new PeerLostError(`rank ${w.rank}: ${w.describe()}: ${why}`, w.rank, failed);
    }
    const left = deadline - performance.now();
    if (left <= 0) throw w.timeout();
    const slice = Math.min(left, SLICE_MS);
    if (blocking) {
      Atomics.wait(w.i32, w.index, seen, slice);
    } else {
      const r = Atomics.waitAsync(w.i32, w.index, seen, slice);
      if (r.async) await r.value;
    }
  }
}

export interface PadWaitTarget {
  readonly rank: number; // this rank's world rank, for messages
  readonly peer: number; // the peer's rank in the group, for messages
  readonly channel: number;
  readonly timeoutMs: number;
  readonly what: string; // "waitSignal", "putSignal", ...
  readonly groupName: string;
  /** Runs before every sleep (the group's agreement check); throws to give up. */
  readonly check?: () => void;
}

/**
 * Atomically changes `i32[index]` from `from` to `to`, waiting while it holds anything else
 * (it holds `to` while the peer has not caught up yet).
 */
export function casWait(
  i32: Int32Array,
  index: number,
  from: number,
  to: number,
  control: Int32Array,
  target: PadWaitTarget,
): Promise<void> {
  const attempt = () => {
    if (Atomics.compareExchange(i32, index, from, to) !== from) return false;
    Atomics.notify(i32, index);
    return true;
  };
  // Fast path without the spec object: most waits on a pad succeed at once.
  if (attempt()) return Promise.resolve();
  return waitUntil({
    attempt, i32, index, sleepValue: () => to, control, timeoutMs: target.timeoutMs,
    rank: target.rank, check: target.check,
    describe: () => `${target.what} on group "${target.groupName}" channel ${target.channel} abandoned`,
    timeout: () => new TimeoutError(
      `rank ${target.rank}: ${target.what} timed out after ${target.timeoutMs} ms waiting on peer ` +
        `${target.peer} of group "${target.groupName}", channel ${target.channel}`,
      target.rank, target.peer, target.channel, target.timeoutMs,
    ),
  });
}

/** Sets the abort word (first failure wins) and wakes every waiter on every pad. */
export function raiseAbort(control: Int32Array, rank: number, padStart: number): void {
  Atomics.compareExchange(control, ABORT, 0, rank === WORLD_CLOSED ? WORLD_CLOSED : rank + 1);
  const used = Atomics.load(control, PADS_USED);
  for (let i = padStart; i < padStart + used; i++) Atomics.notify(control, i);
}
