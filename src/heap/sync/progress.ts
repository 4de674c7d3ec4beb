/**
 * Per-chunk progress between the ranks of a host all-reduce: each rank publishes monotonic
 * counters (chunks read back, chunks reduced, chunks uploaded) in the header of its own copy of
 * the group workspace, and waits on its peers' in the wait loop (wait.ts) without ever blocking,
 * so a rank's event loop keeps serving the readbacks of its next chunks meanwhile.
 *
 * The counters are never reset (a reset would race with a peer still reading the last value of
 * the previous call). Instead every call starts by storing a snapshot of each counter ("base")
 * beside it, then one barrier; after it each rank reads every peer's bases, and "peer p has done
 * k chunks" means `counter - base ≥ k` (int32 arithmetic, so wrapping is harmless). A rank changes
 * its counters only after that barrier and its bases only at its next call's start, by which time
 * every peer has read them (a call cannot end before every peer has published all its chunks).
 */
import { TimeoutError } from "../../core/errors.ts";
import type { Group } from "../group.ts";
import { waitUntil } from "./wait.ts";

/** Counter words, then their bases (Int32 indices into each rank's header). */
export const READY = 0; // chunks read back into this rank's in-slots
export const REDUCED = 1; // chunks whose slice this rank reduced into its out-slot
export const UPLOADED = 2; // chunks this rank has uploaded (so it no longer reads peers' out-slots)
const COUNTERS = 3;
const BASE = 8;
/** Bytes of the header; a multiple of 256 so the slots after it stay aligned. */
export const PROGRESS_HEADER_BYTES = 256;

const COUNTER_NAMES = ["read back", "reduced", "uploaded"];

export interface ProgressOptions {
  readonly op: string;
  readonly group: Group;
  /** Every group rank's header (`PROGRESS_HEADER_BYTES` / 4 words), in group rank order. */
  readonly headers: readonly Int32Array[];
  /** The control words of the world (abort word). */
  readonly control: Int32Array;
  readonly timeoutMs: number;
}

/** Byte offset in the header of the float64 publish times (diagnostics: wake-up delays). */
const TIMES_BYTE = 128;

export class ChunkProgress {
  private readonly bases: number[][] = [];
  private readonly me: number;
  private failure: unknown;
  private readonly times: Float64Array[];
  /** When set, waits that had to sleep add how late they woke (after the peer's publish) here. */
  wakeDelays: number[] | undefined;

  constructor(private readonly o: ProgressOptions) {
    this.me = o.group.rank;
    this.times = o.headers.map((h) => new Float64Array(h.buffer, h.byteOffset + TIMES_BYTE, COUNTERS));
  }

  /** Before the call's first barrier: snapshot this rank's counters as its bases. */
  snapshot(): void {
    const h = this.o.headers[this.me];
    for (let j = 0; j < COUNTERS; j++) Atomics.store(h, BASE + j, Atomics.load(h, j));
  }

  /** After that barrier: every peer's bases. */
  readBases(): void {
    this.bases.length = 0;
    for (const h of this.o.headers) this.bases.push(Array.from({ length: COUNTERS }, (_, j) => Atomics.load(h, BASE + j)));
  }

  /** This rank has done `k` chunks of `counter`. */
  publish(counter: number, k: number): void {
    const h = this.o.headers[this.me];
    if (this.wakeDelays !== undefined) this.times[this.me][counter] = performance.timeOrigin + performance.now();
    Atomics.store(h, counter, (this.bases[this.me][counter] + k) | 0);
    Atomics.notify(h, counter);
  }

  done(peer: number, counter: number): number {
    return (Atomics.load(this.o.headers[peer], counter) - this.bases[peer][counter]) | 0;
  }

  /** Makes every wait of this call give up (another stage of this rank failed). */
  fail(err: unknown): void {
    this.failure ??= err;
    const h = this.o.headers[this.me];
    for (let j = 0; j < COUNTERS; j++) Atomics.notify(h, j);
  }

  /** Resolves once `peer` has done at least `k` chunks of `counter`. */
  async waitFor(peer: number, counter: number, k: number, chunk: number): Promise<void> {
    if (this.done(peer, counter) >= k) return;
    const { op, group } = this.o;
    const h = this.o.headers[peer];
    const me = group.worldRankOf(this.me);
    await waitUntil({
      attempt: () => this.done(peer, counter) >= k,
      i32: h, index: counter, sleepValue: () => Atomics.load(h, counter),
      control: this.o.control, timeoutMs: this.o.timeoutMs, neverBlock: true,
      check: () => {
        if (this.failure !== undefined) throw this.failure;
        group.agreement.check(peer);
      },
      woke: () => this.wakeDelays?.push(performance.timeOrigin + performance.now() - this.times[peer][counter]),
      rank: me,
      describe: () => `${op} abandoned while waiting for peer ${peer} of group "${group.name}" ` +
        `to have ${COUNTER_NAMES[counter]} chunk ${chunk}`,
      timeout: () => new TimeoutError(
        `rank ${me}: ${op} timed out after ${this.o.timeoutMs} ms waiting for peer ${peer} ` +
          `of group "${group.name}" to have ${COUNTER_NAMES[counter]} chunk ${chunk} (it has ${COUNTER_NAMES[counter]} ` +
          `${this.done(peer, counter)} chunk(s) of this call)`,
        me, peer, -1, this.o.timeoutMs,
      ),
    });
  }

  /** Resolves once every group rank (this one included) has done `k` chunks of `counter`. */
  async waitAll(counter: number, k: number, chunk: number): Promise<void> {
    for (let p = 0; p < this.o.headers.length; p++) await this.waitFor(p, counter, k, chunk);
  }
}
