import { checkPeerInRange } from "../../core/ranges.ts";
import { casWait } from "./wait.ts";
import { INTERNAL_CHANNELS } from "../control.ts";

/** Options of the signal calls: barrier, putSignal, waitSignal (and putWithSignal's timeout). */
export interface SignalOptions {
  /** Signal channel, 0 ≤ channel < the launch's `signalChannels`. Default 0. */
  channel?: number;
  /** Give up after this many milliseconds with a TimeoutError. Default: the launch's `timeoutMs`. */
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
   * when a rank fails, and a RangeError for a bad peer, channel or timeout.
   */
  async putSignal(dst: number, opts: SignalOptions = {}): Promise<void> {
    this.checkPeer(dst, "putSignal");
    const channel = this.userChannel(opts.channel, "putSignal");
    await this.put(dst, channel, opts.timeoutMs, "putSignal");
  }

  /**
   * Waits for `src`'s signal in this rank's pad on `opts.channel`, then clears it (CAS 1→0); the
   * same errors as `putSignal`.
   */
  async waitSignal(src: number, opts: SignalOptions = {}): Promise<void> {
    this.checkPeer(src, "waitSignal");
    const channel = this.userChannel(opts.channel, "waitSignal");
    await this.wait(src, channel, opts.timeoutMs, "waitSignal");
  }

  /**
   * Collective over the group: signals every peer on `opts.channel`, then waits for each peer's
   * signal. Rejects as `putSignal` does (there is no peer argument to get wrong).
   */
  async barrier(opts: SignalOptions = {}): Promise<void> {
    await this.barrierOn(this.userChannel(opts.channel, "barrier"), opts.timeoutMs);
  }

  /** Barrier on one of the internal channels (rendezvous, group creation). @internal */
  async internalBarrier(k: number, timeoutMs?: number): Promise<void> {
    await this.barrierOn(this.g.channels + k, timeoutMs);
  }

  private async barrierOn(channel: number, timeoutMs: number | undefined): Promise<void> {
    const me = this.g.myRank;
    for (let p = 0; p < this.g.size; p++) if (p !== me) await this.put(p, channel, timeoutMs, "barrier");
    for (let p = 0; p < this.g.size; p++) if (p !== me) await this.wait(p, channel, timeoutMs, "barrier");
  }

  private put(dst: number, channel: number, timeoutMs: number | undefined, what: string): Promise<void> {
    return casWait(this.g.control, this.slot(dst, channel, this.g.myRank), 0, 1, this.g.control,
      this.target(dst, channel, timeoutMs, what));
  }

  private wait(src: number, channel: number, timeoutMs: number | undefined, what: string): Promise<void> {
    return casWait(this.g.control, this.slot(this.g.myRank, channel, src), 1, 0, this.g.control,
      this.target(src, channel, timeoutMs, what));
  }

  private target(peer: number, channel: number, timeoutMs: number | undefined, what: string) {
    const t = timeoutMs ?? this.g.defaultTimeoutMs;
    if (!(t >= 0)) throw new RangeError(`${what}: timeoutMs must be a non-negative number, found ${timeoutMs}`);
    return { rank: this.g.worldRank, peer, channel, timeoutMs: t, what, groupName: this.g.groupName };
  }

  private checkPeer(peer: number, what: string): void {
    checkPeerInRange(what, peer, this.g.groupName, this.g.size);
  }

  private userChannel(channel: number | undefined, what: string): number {
    const c = channel ?? 0;
    if (!Number.isInteger(c) || c < 0 || c >= this.g.channels) {
      throw new RangeError(
        `${what}: channel ${c} out of range: expected an integer in [0, ${this.g.channels - 1}] ` +
          `(signalChannels = ${this.g.channels})`,
      );
    }
    return c;
  }
}
