import { checkOptions, checkTimeout, describeValue } from "../../core/args.ts";
import { SymmetricMemoryError } from "../../core/errors.ts";
import { checkPeerInRange } from "../../core/ranges.ts";
import { casWait } from "./wait.ts";
import { INTERNAL_CHANNELS } from "../control.ts";
import type { Agreement } from "../agreement.ts";

/** Options of the signal calls: barrier, putSignal, waitSignal (and putWithSignal's timeout). */
export interface SignalOptions {
  /** Signal channel, 0 ≤ channel < the launch's `signalChannels`. Default 0. */
  channel?: number;
  /** Give up after this many milliseconds with a TimeoutError (0: never, as PyTorch). Default: the launch's `timeoutMs`. */
  timeoutMs?: number;
}

export interface PadGeometry {
  readonly control: Int32Array;
  readonly base: number; // first word of this group's pads
  readonly size: number; // ranks in the group
  readonly channels: number; // user channels
  readonly myRank: number; // this rank's rank in the group
  readonly worldRank: number;
  readonly groupName: string;
  readonly defaultTimeoutMs: number;
  /** The group's agreement: told of every signal sent and consumed, checked before every sleep. */
  readonly agreement?: Agreement;
}

/**
 * Word index of `pad[dst][size * channel + src]` for a group of `size` ranks whose pads start at
 * word `base`, with `channels` channels in all (user and internal): the one place the pad layout
 * is written, for the pads themselves and for views of them from the main thread (`padWord`).
 */
export function padSlot(base: number, size: number, channels: number, dst: number, channel: number, src: number): number {
  return base + dst * size * channels + size * channel + src;
}

/**
 * The signal pads of one group, laid out as PyTorch's: `pad[dst][size * channel + src]`.
 * `putSignal` does CAS 0→1 on the peer's slot, `waitSignal` CAS 1→0 on our own, so every slot
 * is back at zero after a completed synchronisation.
 */
export class SignalPad {
  private readonly stride: number; // words per destination rank

  /** The heap makes one per group, over its share of the control buffer. @internal */
  constructor(private readonly g: PadGeometry) {
    this.stride = g.size * (g.channels + INTERNAL_CHANNELS);
  }

  /** Int32 words these pads take in the control buffer: size² × (signalChannels + 2 internal channels). */
  get words(): number {
    return this.g.size * this.stride;
  }

  /** Word index of `pad[dst][size * channel + src]` in the control buffer. */
  slot(dst: number, channel: number, src: number): number {
    return padSlot(this.g.base, this.g.size, this.g.channels + INTERNAL_CHANNELS, dst, channel, src);
  }

  /** The user channels of `peer`'s pad, as PyTorch's `get_signal_pad(peer)` (a live view). */
  view(peer: number): Int32Array {
    this.checkPeer(peer, "getSignalPad");
    const start = this.slot(peer, 0, 0);
    return this.g.control.subarray(start, start + this.g.size * this.g.channels);
  }

  /**
   * Raises this rank's signal in `dst`'s pad on `opts.channel` (CAS 0→1), first waiting for `dst`
   * to consume the previous one. Rejects with TimeoutError after `opts.timeoutMs`, PeerLostError
   * when a rank fails, and a SymmetricMemoryError for a bad peer, channel, timeout or options;
   * every argument is checked before any pad word is touched.
   */
  async putSignal(dst: number, opts: SignalOptions = {}): Promise<void> {
    const { channel, timeoutMs } = this.checkCall(dst, opts, "putSignal");
    this.g.agreement?.touch();
    await this.put(dst, channel, timeoutMs, "putSignal");
  }

  /**
   * Waits for `src`'s signal in this rank's pad on `opts.channel`, then clears it (CAS 1→0); the
   * same errors as `putSignal`.
   */
  async waitSignal(src: number, opts: SignalOptions = {}): Promise<void> {
    const { channel, timeoutMs } = this.checkCall(src, opts, "waitSignal");
    await this.wait(src, channel, timeoutMs, "waitSignal");
  }

  /**
   * Collective over the group: signals every peer on `opts.channel`, then waits for each peer's
   * signal. Rejects as `putSignal` does (there is no peer argument to get wrong).
   */
  barrier(opts: SignalOptions = {}): Promise<void> {
    try {
      const o = checkOptions(opts, "barrier", SymmetricMemoryError);
      const channel = this.userChannel(o.channel, "barrier");
      return this.barrierOn(channel, checkTimeout(o.timeoutMs, "barrier", SymmetricMemoryError));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Barrier on one of the internal channels (rendezvous, group creation). @internal */
  internalBarrier(k: number, timeoutMs?: number): Promise<void> {
    try {
      return this.barrierOn(this.g.channels + k, checkTimeout(timeoutMs, "barrier", SymmetricMemoryError));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Checks a one-sided signal call's peer and options (all of them, before any CAS) and returns
   * its channel and timeout. @internal
   */
  checkCall(peer: unknown, opts: SignalOptions | undefined, what: string): { channel: number; timeoutMs: number | undefined } {
    this.checkPeer(peer, what);
    const o = checkOptions(opts, what, SymmetricMemoryError);
    const channel = this.userChannel(o.channel, what);
    return { channel, timeoutMs: checkTimeout(o.timeoutMs, what, SymmetricMemoryError) };
  }

  /**
   * Signals every peer, then consumes every peer's signal. Each step tries its compare-exchange
   * at once and goes through the wait loop only when the slot is not ready: a barrier whose peers
   * are already there costs no promise turn per peer (the 8-byte path is made of two of them).
   */
  private async barrierOn(channel: number, timeoutMs: number | undefined): Promise<void> {
    const me = this.g.myRank;
    const agreement = this.g.agreement;
    agreement?.enterSync();
    for (let p = 0; p < this.g.size; p++) {
      if (p !== me && !this.tryCas(this.slot(p, channel, me), 0, 1)) await this.put(p, channel, timeoutMs, "barrier");
    }
    for (let p = 0; p < this.g.size; p++) {
      if (p === me) continue;
      if (this.tryCas(this.slot(me, channel, p), 1, 0)) agreement?.consumed(p);
      else await this.wait(p, channel, timeoutMs, "barrier");
    }
    agreement?.leaveSync(); // not on a failure: then the barrier's signals may stay behind
  }

  /** One compare-exchange of a pad word (and a wake-up of its waiter); false when the word held something else. */
  private tryCas(index: number, from: number, to: number): boolean {
    const c = this.g.control;
    if (Atomics.compareExchange(c, index, from, to) !== from) return false;
    Atomics.notify(c, index);
    return true;
  }

  private put(dst: number, channel: number, timeoutMs: number | undefined, what: string): Promise<void> {
    const target = this.target(dst, channel, timeoutMs, what);
    return casWait(this.g.control, this.slot(dst, channel, this.g.myRank), 0, 1, this.g.control, target);
  }

  private async wait(src: number, channel: number, timeoutMs: number | undefined, what: string): Promise<void> {
    await casWait(this.g.control, this.slot(this.g.myRank, channel, src), 1, 0, this.g.control,
      this.target(src, channel, timeoutMs, what));
    this.g.agreement?.consumed(src);
  }

  private target(peer: number, channel: number, timeoutMs: number | undefined, what: string) {
    const t = timeoutMs ?? this.g.defaultTimeoutMs;
    // The public entries checked timeoutMs (checkTimeout); this guards internal callers.
    if (!(t >= 0)) throw new SymmetricMemoryError(`${what}: timeoutMs must be a non-negative number, found ${timeoutMs}`);
    const agreement = this.g.agreement;
    return {
      rank: this.g.worldRank, peer, channel, timeoutMs: t, what, groupName: this.g.groupName,
      check: agreement === undefined ? undefined : () => agreement.check(peer),
    };
  }

  private checkPeer(peer: unknown, what: string): void {
    checkPeerInRange(what, peer, this.g.groupName, this.g.size);
  }

  /** A user channel (default 0), checked: an integer in [0, signalChannels). */
  private userChannel(channel: unknown, what: string): number {
    const c = channel ?? 0;
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c >= this.g.channels) {
      throw new SymmetricMemoryError(
        `${what}: channel ${typeof c === "number" ? c : `(${describeValue(c)})`} out of range: expected an integer ` +
          `in [0, ${this.g.channels - 1}] (signalChannels = ${this.g.channels})`,
      );
    }
    return c;
  }
}
