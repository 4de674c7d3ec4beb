import { type DType, itemsize, numelOf, typedView, type TypedArrayFor, checkShape } from "../core/dtype.ts";
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
    readonly tensor: SymmetricTensor,
    readonly group: Group,
    /** Byte offset of the allocation in each group rank's slab. */
    readonly offsets: readonly number[],
    private readonly slabs: readonly SharedArrayBuffer[],
  ) {}

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.size;
  }

  get bufferSize(): number {
    return this.tensor.allocation.bytes;
  }

  /**
   * A typed view of `peer`'s copy, `storageOffset` elements into the allocation, as PyTorch's
   * `get_buffer(rank, sizes, dtype, storage_offset)`.
   */
  getBuffer<D extends DType>(peer: number, shape: readonly number[], dtype: D, storageOffset = 0): TypedArrayFor<D> {
    this.tensor.assertLive("getBuffer");
    this.checkPeer(peer, "getBuffer");
    checkShape(shape, "getBuffer");
    if (!Number.isInteger(storageOffset) || storageOffset < 0) {
      throw new RangeError(`getBuffer: storageOffset must be a non-negative integer, found ${storageOffset}`);
    }
    const size = itemsize(dtype);
    const numel = numelOf(shape);
    const start = storageOffset * size;
    if (start + numel * size > this.bufferSize) {
      throw new RangeError(
        `getBuffer: ${numel} ${dtype} elements at element offset ${storageOffset} need ` +
          `${start + numel * size} bytes, but the buffer has ${this.bufferSize}`,
      );
    }
    return typedView(dtype, this.slabs[this.group.worldRankOf(peer)], this.offsets[peer] + start, numel);
  }

  getSignalPad(peer: number): Int32Array {
    return this.group.pads.view(peer);
  }

  barrier(opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.barrier(opts);
  }

  putSignal(dst: number, opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.putSignal(dst, opts);
  }

  waitSignal(src: number, opts: SignalOptions = {}): Promise<void> {
    return this.group.pads.waitSignal(src, opts);
  }

  private checkPeer(peer: number, what: string): void {
    checkPeerInRange(what, peer, this.group.name, this.group.size);
  }
}
