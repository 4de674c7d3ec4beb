/**
 * One-sided access to a peer's copy of a symmetric tensor (OpenSHMEM's put/get): no peer takes
 * part, so these do not synchronise. Order them with signals (`putWithSignal` / `waitSignal`)
 * or barriers. Peers are ranks of the handle's group.
 */
import { describeValue, quote } from "../core/args.ts";
import { SymmetricMemoryError } from "../core/errors.ts";
import { type AnyTypedArray, itemsize } from "../core/dtype.ts";
import { SymmetricMemoryHandle } from "./handle.ts";
import type { SignalOptions } from "./sync/signal-pad.ts";
import { requireSymmetric, SymmetricTensor } from "./symmetric-tensor.ts";
import { checkPeerInRange } from "../core/ranges.ts";

function checkPeer(handle: SymmetricMemoryHandle, peer: number, what: string): void {
  checkPeerInRange(what, peer, handle.group.name, handle.group.size);
}

/** A rendezvous handle, else a SymmetricMemoryError naming `what`. */
export function requireHandle(value: unknown, what: string): SymmetricMemoryHandle {
  if (!(value instanceof SymmetricMemoryHandle)) {
    throw new SymmetricMemoryError(
      `${what}: handle must be a SymmetricMemoryHandle (from symm.rendezvous), found ${describeValue(value)}`,
    );
  }
  return value;
}

/** `t` must live in the allocation `handle` was made for (a view of it is fine). */
export function checkHandleOf(handle: SymmetricMemoryHandle, t: SymmetricTensor, what: string): void {
  requireHandle(handle, what);
  requireSymmetric(t, what);
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
  t.assertContiguous("put");
  checkPeer(handle, peer, "put");
  if (peer !== handle.rank) peerCopy(handle, t, peer).set(t.bytes);
}

/** Copies `peer`'s copy of `t` into this rank's `t`. */
export function get(handle: SymmetricMemoryHandle, t: SymmetricTensor, peer: number): void {
  checkHandleOf(handle, t, "get");
  t.assertContiguous("get");
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
  requireHandle(handle, "get");
  handle.tensor.assertLive("get");
  checkPeer(handle, peer, "get");
  let bytes: Uint8Array;
  let size: number;
  if (dst instanceof SymmetricTensor) {
    dst.assertContiguous("get");
    bytes = dst.bytes;
    size = itemsize(dst.dtype);
  } else if (ArrayBuffer.isView(dst) && !(dst instanceof DataView)) {
    bytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    size = dst.BYTES_PER_ELEMENT;
  } else {
    throw new SymmetricMemoryError(
      `get: dst must be contiguous: a SymmetricTensor or a typed array, found ${describeValue(dst)}`,
    );
  }
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw new SymmetricMemoryError(`get: offset must be a non-negative integer (elements), found ${quote(offset)}`);
  }
  const start = offset * size;
  if (start + bytes.byteLength > handle.bufferSize) {
    throw new SymmetricMemoryError(
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
  // Everything is checked before the put, so a bad channel or timeout leaves the peer's memory
  // and its pad alone.
  const signal = checkSignalCall(handle, peer, channel, opts, "putWithSignal");
  checkHandleOf(handle, t, "putWithSignal");
  put(handle, t, peer);
  // Atomics are sequentially consistent: the peer that sees the signal sees the bytes before it.
  await handle.putSignal(peer, signal);
}

/** Checks the peer, channel and options of putWithSignal / waitSignal; returns the signal options. */
function checkSignalCall(
  handle: SymmetricMemoryHandle, peer: number, channel: unknown, opts: unknown, what: string,
): SignalOptions {
  requireHandle(handle, what);
  handle.tensor.assertLive(what);
  if (channel === undefined || channel === null) {
    throw new SymmetricMemoryError(`${what}: channel is required: expected an integer in [0, signalChannels)`);
  }
  const o = opts === undefined ? {} : opts;
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new SymmetricMemoryError(`${what}: options must be an object (or left out), found ${describeValue(opts)}`);
  }
  const signal = { ...(o as Omit<SignalOptions, "channel">), channel: channel as number };
  handle.group.pads.checkCall(peer, signal, what);
  return signal;
}

/** Waits for `peer`'s signal on `channel` (from its putWithSignal), then clears it. */
export async function waitSignal(
  handle: SymmetricMemoryHandle, peer: number, channel: number, opts: Omit<SignalOptions, "channel"> = {},
): Promise<void> {
  await handle.waitSignal(peer, checkSignalCall(handle, peer, channel, opts, "waitSignal"));
}
