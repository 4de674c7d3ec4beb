import { PeerLostError, TimeoutError } from "../errors.ts";
import { canBlock } from "../runtime.ts";
import { ABORT, PADS_USED } from "./control.ts";

/** Spin this many checks before sleeping: a peer that is already on its way answers in ~1 µs. */
const SPIN_CHECKS = 4000;
/** Longest single sleep, so a missed wake-up still sees the abort word soon. */
const SLICE_MS = 50;

export interface WaitTarget {
  readonly rank: number; // this rank's world rank, for messages
  readonly peer: number; // the peer's rank in the group, for messages
  readonly channel: number;
  readonly timeoutMs: number;
  readonly what: string; // "waitSignal", "putSignal", ...
  readonly groupName: string;
}

/**
 * Atomically changes `i32[index]` from `from` to `to`, waiting while it holds anything else
 * (it holds `to` while the peer has not caught up yet). Throws PeerLostError as soon as the
 * abort word is set, TimeoutError after `timeoutMs`.
 */
export async function casWait(
  i32: Int32Array,
  index: number,
  from: number,
  to: number,
  control: Int32Array,
  target: WaitTarget,
): Promise<void> {
  for (let i = 0; i < SPIN_CHECKS; i++) {
    if (Atomics.compareExchange(i32, index, from, to) === from) {
      Atomics.notify(i32, index);
      return;
    }
  }
  const blocking = canBlock();
  const deadline = performance.now() + target.timeoutMs;
  for (;;) {
    if (Atomics.compareExchange(i32, index, from, to) === from) {
      Atomics.notify(i32, index);
      return;
    }
    const lost = Atomics.load(control, ABORT);
    if (lost !== 0) {
      const why = lost === WORLD_CLOSED ? "the world was closed" : `rank ${lost - 1} failed in this run`;
      throw new PeerLostError(
        `rank ${target.rank}: ${target.what} on group "${target.groupName}" channel ${target.channel} ` +
          `abandoned: ${why}`,
        target.rank,
        lost === WORLD_CLOSED ? -1 : lost - 1,
      );
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new TimeoutError(
        `rank ${target.rank}: ${target.what} timed out after ${target.timeoutMs} ms waiting on peer ` +
          `${target.peer} of group "${target.groupName}", channel ${target.channel}`,
        target.rank,
        target.peer,
        target.channel,
        target.timeoutMs,
      );
    }
    const slice = Math.min(left, SLICE_MS);
    if (blocking) {
      Atomics.wait(i32, index, to, slice);
    } else {
      const r = Atomics.waitAsync(i32, index, to, slice);
      if (r.async) await r.value;
    }
  }
}

/** Abort word value set by `World.close()` while ranks may still wait. */
export const WORLD_CLOSED = -1;

/** Sets the abort word (first failure wins) and wakes every waiter on every pad. */
export function raiseAbort(control: Int32Array, rank: number, padStart: number): void {
  Atomics.compareExchange(control, ABORT, 0, rank === WORLD_CLOSED ? WORLD_CLOSED : rank + 1);
  const used = Atomics.load(control, PADS_USED);
  for (let i = padStart; i < padStart + used; i++) Atomics.notify(control, i);
}
