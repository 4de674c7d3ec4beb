/**
 * Peer memory as HeapRegions. Everything goes through the rendezvous handle's `getBuffer`, so
 * every region is bounds-checked against the allocation on the peer it names.
 */
import { itemsize } from "../core/dtype.ts";
import { SymmetricMemoryError } from "../core/errors.ts";
import type { HeapRegion } from "../core/reducer.ts";
import { regionSpan, type RowLayout } from "../core/region-span.ts";
import type { SymmetricMemoryHandle } from "./handle.ts";
import { checkHandleOf } from "./one-sided.ts";
import type { SymmetricTensor } from "./symmetric-tensor.ts";

export type { RowLayout } from "../core/region-span.ts";

export interface RegionOptions {
  /** Elements from the tensor's first element to the region's. Default 0. */
  readonly elementOffset?: number;
  /** Elements in the region. Default: the rest of the tensor. */
  readonly count?: number;
  readonly rows?: RowLayout;
}


/**
 * `byteLength` bytes of `peer`'s copy of `tensor`, starting `byteStart` bytes into the tensor.
 * The view's buffer is the peer's slab.
 */
export function peerBytes(
  handle: SymmetricMemoryHandle,
  peer: number,
  tensor: SymmetricTensor,
  byteStart = 0,
  byteLength = tensor.nbytes - byteStart,
): Uint8Array<SharedArrayBuffer> {
  checkHandleOf(handle, tensor, "peerBytes");
  tensor.assertContiguous("peerBytes"); // a strided view's bytes are not one range: peerRegion takes its rows
  return handle.getBuffer(peer, [byteLength], "uint8", tensor.viewOffset + byteStart) as Uint8Array<SharedArrayBuffer>;
}

/**
 * `peer`'s copy of (a part of) `tensor` as a HeapRegion: the peer's slab and a byte offset in it.
 * A strided view (SymmetricTensor.tile) is taken whole, as its rows; `opts` must then be empty.
 */
export function peerRegion(
  handle: SymmetricMemoryHandle,
  peer: number,
  tensor: SymmetricTensor,
  opts: RegionOptions = {},
): HeapRegion {
  if (!tensor.isContiguous) return stridedRegion(handle, peer, tensor, opts);
  const size = itemsize(tensor.dtype);
  const first = opts.elementOffset ?? 0;
  const count = opts.count ?? tensor.numel - first;
  const rows = opts.rows;
  if (rows !== undefined && (rows.rowLength <= 0 || count % rows.rowLength !== 0 || rows.rowStride < rows.rowLength)) {
    throw new SymmetricMemoryError(
      `peerRegion: ${count} elements cannot be rows of ${rows.rowLength} elements ${rows.rowStride} apart`,
    );
  }
  const span = regionSpan(rows ?? {}, count);
  const bytes = peerBytes(handle, peer, tensor, first * size, span * size);
  return { slab: bytes.buffer, byteOffset: bytes.byteOffset, ...rows };
}

function stridedRegion(handle: SymmetricMemoryHandle, peer: number, tensor: SymmetricTensor, opts: RegionOptions): HeapRegion {
  if (opts.elementOffset !== undefined || opts.count !== undefined || opts.rows !== undefined) {
    throw new SymmetricMemoryError("peerRegion: a strided view is taken whole; elementOffset, count and rows must be unset");
  }
  checkHandleOf(handle, tensor, "peerRegion");
  const { rowLength, rowStride } = tensor.rowLayout;
  const bytes = handle.getBuffer(peer, [tensor.spanBytes], "uint8", tensor.viewOffset) as Uint8Array<SharedArrayBuffer>;
  return { slab: bytes.buffer, byteOffset: bytes.byteOffset, rowLength, rowStride };
}
