import { describeValue, quote } from "../core/args.ts";
import { SymmetricMemoryError } from "../core/errors.ts";
import { type DType, itemsize, normalizeDType, numelOf, typedView, type TypedArrayFor, checkShape } from "../core/dtype.ts";
import type { Group } from "./group.ts";
import type { SignalOptions } from "./sync/signal-pad.ts";
import type { SymmetricTensor } from "./symmetric-tensor.ts";
import { checkPeerInRange } from "../core/ranges.ts";

/**
 * What `rendezvous` returns: access to every peer's copy of one symmetric allocation and to the
 * group's signal pads. Ranks and peers are group ranks.
 */
export class SymmetricMemoryHandle {
  constructor(
    /** The tensor that owns the allocation (for a view given to rendezvous, the tensor it views). */
    readonly tensor: SymmetricTensor,
    /** The group the allocation was made for; peers are its ranks. */
    readonly group: Group,
    /** Byte offset of the allocation in each group rank's slab. */
    readonly offsets: readonly number[],
    private readonly slabs: readonly SharedArrayBuffer[],
  ) {}

  /** This rank's rank in the group. */
  get rank(): number {
    return this.group.rank;
  }

  /** Number of ranks in the group (PyTorch's `world_size` of the handle). */
  get worldSize(): number {
    return this.group.size;
  }

  /** Bytes of the allocation on each rank: `tensor.nbytes` rounded up to a multiple of HEAP_ALIGNMENT (at least one). */
  get bufferSize(): number {
    return this.tensor.allocation.bytes;
  }

  /**
   * A typed view of `peer`'s copy, `storageOffset` elements into the allocation, as PyTorch's
   * `get_buffer(rank, sizes, dtype, storage_offset)`; `dtype` may be an alias ("f32"). Throws a
   * SymmetricMemoryError for a bad peer, shape, dtype or offset, or a view past the buffer's end.
   */
  getBuffer<D extends DType>(peer: number, shape: readonly number[], dtype: D, storageOffset = 0): TypedArrayFor<D> {
    this.tensor.assertLive("getBuffer");
    this.checkPeer(peer, "getBuffer");
    checkShape(shape, "getBuffer");
    const dt = normalizeDType(dtype, "getBuffer") as D;
    if (typeof storageOffset !== "number" || !Number.isInteger(storageOffset) || storageOffset < 0) {
      throw new SymmetricMemoryError(
        `getBuffer: storageOffset must be a non-negative integer, found ${quote(storageOffset)}`,
      );
    }
    const size = itemsize(dt);
    const numel = numelOf(shape);
    const start = storageOffset * size;
    if (start + numel * size > this.bufferSize) {
      throw new SymmetricMemoryError(
        `getBuffer: ${numel} ${dt} elements at element offset ${storageOffset} need ` +
          `${start + numel * size} bytes, but the buffer has ${this.bufferSize}`,
      );
    }
    return typedView(dt, this.slabs[this.group.worldRankOf(peer)], this.offsets[peer] + start, numel);
  }

  /**
   * `peer`'s signal pad, as PyTorch's `get_signal_pad(peer)`: a live view of its user channels,
   * `worldSize * signalChannels` words, where word `worldSize * channel + src` is `src`'s signal on
   * `channel`. Throws a SymmetricMemoryError for a peer outside the group.
   */
  getSignalPad(peer: number): Int32Array {
    return this.group.pads.view(peer);
  }

  /**
   * Collective over the group: signals every peer on `opts.channel`, then waits for every peer's
   * signal. Rejects with TimeoutError after `opts.timeoutMs`, PeerLostError when a rank fails, and a
   * SymmetricMemoryError for bad options (channel, timeout), before any signal is raised.
   */
  barrier(opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.barrier(opts);
  }

  /**
   * Raises this rank's signal in `dst`'s pad on `opts.channel` (CAS 0→1). If the previous signal
   * is still unconsumed it waits until `dst` has consumed it. The same errors as `barrier`, and a
   * SymmetricMemoryError for a `dst` outside the group.
   */
  putSignal(dst: number, opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.putSignal(dst, opts);
  }

  /**
   * Waits until `src` has raised its signal in this rank's pad on `opts.channel`, then clears it
   * (CAS 1→0). The same errors as `barrier`, and a SymmetricMemoryError for a `src` outside the group.
   */
  waitSignal(src: number, opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.waitSignal(src, opts);
  }

  private checkPeer(peer: number, what: string): void {
    checkPeerInRange(what, peer, this.group.name, this.group.size);
  }
}
