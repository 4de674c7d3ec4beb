/**
 * Peer memory as HeapRegions. Everything goes through the rendezvous handle's `getBuffer`, so
 * every region is bounds-checked against the allocation on the peer it names.
 */
import { itemsize } from "../heap/dtype.ts";
import type { SymmetricMemoryHandle } from "../heap/handle.ts";
import { checkHandleOf } from "../heap/one-sided.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { HeapRegion } from "./reducer.ts";

/** Rows of `rowLength` elements, `rowStride` elements apart (a chunk of every row's last dim). */
export interface RowLayout {
  readonly rowLength: number;
  readonly rowStride: number;
}

export interface RegionOptions {
  /** Elements from the tensor's first element to the region's. Default 0. */
  readonly elementOffset?: number;
  /** Elements in the region. Default: the rest of the tensor. */
  readonly count?: number;
  readonly rows?: RowLayout;
}

/** Elements a region of `count` elements spans from its first to its last (strides included). */
export function regionSpan(region: Pick<HeapRegion, "rowLength" | "rowStride">, count: number): number {
  if (count === 0) return 0;
  if (region.rowLength === undefined) return count;
  const rows = count / region.rowLength;
  return (rows - 1) * (region.rowStride ?? region.rowLength) + region.rowLength;
}

/** Calls `fn(sourceElement, packedElement, length)` for each contiguous run of a region. */
export function forEachRun(
  region: Pick<HeapRegion, "rowLength" | "rowStride">,
  count: number,
  fn: (from: number, to: number, length: number) => void,
): void {
  if (count === 0) return;
  const len = region.rowLength;
  if (len === undefined || (region.rowStride ?? len) === len) {
    fn(0, 0, count);
    return;
  }
  const stride = region.rowStride ?? len;
  for (let from = 0, to = 0; to < count; from += stride, to += len) fn(from, to, len);
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
  return handle.getBuffer(peer, [byteLength], "uint8", tensor.viewOffset + byteStart) as Uint8Array<SharedArrayBuffer>;
}

/** `peer`'s copy of (a part of) `tensor` as a HeapRegion: the peer's slab and a byte offset in it. */
export function peerRegion(
  handle: SymmetricMemoryHandle,
  peer: number,
  tensor: SymmetricTensor,
  opts: RegionOptions = {},
): HeapRegion {
  const size = itemsize(tensor.dtype);
  const first = opts.elementOffset ?? 0;
  const count = opts.count ?? tensor.numel - first;
  const rows = opts.rows;
  if (rows !== undefined && (rows.rowLength <= 0 || count % rows.rowLength !== 0 || rows.rowStride < rows.rowLength)) {
    throw new RangeError(
      `peerRegion: ${count} elements cannot be rows of ${rows.rowLength} elements ${rows.rowStride} apart`,
    );
  }
  const span = regionSpan(rows ?? {}, count);
  const bytes = peerBytes(handle, peer, tensor, first * size, span * size);
  return { slab: bytes.buffer, byteOffset: bytes.byteOffset, ...rows };
}
