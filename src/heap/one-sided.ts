/**
 * One-sided access to a peer's copy of a symmetric tensor (OpenSHMEM's put/get): no peer takes
 * part, so these do not synchronise. Order them with signals (`putWithSignal` / `waitSignal`)
 * or barriers. Peers are ranks of the handle's group.
 */
import { SymmetricMemoryError } from "../core/errors.ts";
import { type AnyTypedArray, itemsize } from "../core/dtype.ts";
import type { SymmetricMemoryHandle } from "./handle.ts";
import type { SignalOptions } from "./sync/signal-pad.ts";
import { SymmetricTensor } from "./symmetric-tensor.ts";
import { checkPeerInRange } from "../core/ranges.ts";

function checkPeer(handle: SymmetricMemoryHandle, peer: number, what: string): void {
  checkPeerInRange(what, peer, handle.group.name, handle.group.size);
}

/** `t` must live in the allocation `handle` was made for (a view of it is fine). */
export function checkHandleOf(handle: SymmetricMemoryHandle, t: SymmetricTensor, what: string): void {
  t.assertLive(what);
  if (handle.tensor !== t.base) {
    throw new SymmetricMemoryError(
      `${what}: the handle is for allocation ${handle.tensor.allocation.id}, but the tensor lives in ${t.allocation.id}`,
    );
  }
}

/** `peer`'s copy of the bytes of `t` (bounds checked by the handle). */
function peerCopy(handle: SymmetricMemoryHandle, t: SymmetricTensor, peer: number): Uint8Array {
  return handle.getBuffer(peer, [t.nbytes], "uint8", t.viewOffset);
}

/** Copies this rank's `t` into `peer`'s copy of `t`. */
export function put(handle: SymmetricMemoryHandle, t: SymmetricTensor, peer: number): void {
  checkHandleOf(handle, t, "put");
  checkPeer(handle, peer, "put");
  if (peer !== handle.rank) peerCopy(handle, t, peer).set(t.bytes);
}

/** Copies `peer`'s copy of `t` into this rank's `t`. */
export function get(handle: SymmetricMemoryHandle, t: SymmetricTensor, peer: number): void {
  checkHandleOf(handle, t, "get");
  checkPeer(handle, peer, "get");
  if (peer !== handle.rank) t.bytes.set(peerCopy(handle, t, peer));
}

/** A contiguous host destination: a symmetric tensor (this rank's copy) or a typed array. */
export type GetDestination = SymmetricTensor | AnyTypedArray;

/**
 * Fills `dst` from `peer`'s buffer of `handle`, starting `offset` elements (of dst's element size)
 * into the allocation, as `handle.getBuffer(peer, ..., offset)` would address it.
 */
export function getFrom(dst: GetDestination, handle: SymmetricMemoryHandle, peer: number, offset: number): void {
  checkPeer(handle, peer, "get");
  let bytes: Uint8Array;
  let size: number;
  if (dst instanceof SymmetricTensor) {
    dst.assertLive("get");
    bytes = dst.bytes;
    size = itemsize(dst.dtype);
  } else if (ArrayBuffer.isView(dst) && !(dst instanceof DataView)) {
    bytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    size = dst.BYTES_PER_ELEMENT;
  } else {
    throw new TypeError(`get: dst must be contiguous: a SymmetricTensor or a typed array, found ${String(dst)}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`get: offset must be a non-negative integer (elements), found ${offset}`);
  }
  const start = offset * size;
  if (start + bytes.byteLength > handle.bufferSize) {
    throw new RangeError(
      `get: ${bytes.byteLength} bytes at element offset ${offset} (byte ${start}) need ${start + bytes.byteLength} ` +
        `bytes, but the buffer of allocation ${handle.tensor.allocation.id} has ${handle.bufferSize}`,
    );
  }
  bytes.set(handle.getBuffer(peer, [bytes.byteLength], "uint8", start));
}

/** put, then raise `peer`'s signal on `channel`: the peer's `waitSignal` returns once the data is there. */
export async function putWithSignal(
  handle: SymmetricMemoryHandle, t: SymmetricTensor, peer: number, channel: number, opts: Omit<SignalOptions, "channel"> = {},
): Promise<void> {
  // Checked before the put, so a bad channel leaves the peer's memory alone.
  const channels = handle.getSignalPad(handle.rank).length / handle.worldSize;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new RangeError(
      `putWithSignal: channel ${channel} out of range: expected an integer in [0, ${channels - 1}] (signalChannels = ${channels})`,
    );
  }
  put(handle, t, peer);
  // Atomics are sequentially consistent: the peer that sees the signal sees the bytes before it.
  await handle.putSignal(peer, { ...opts, channel });
}

/** Waits for `peer`'s signal on `channel` (from its putWithSignal), then clears it. */
export async function waitSignal(
  handle: SymmetricMemoryHandle, peer: number, channel: number, opts: Omit<SignalOptions, "channel"> = {},
): Promise<void> {
  checkPeer(handle, peer, "waitSignal");
  await handle.waitSignal(peer, { ...opts, channel });
}
