import { SymmetricMemoryError } from "../core/errors.ts";

/** WebGPU's `minStorageBufferOffsetAlignment`: every allocation starts on it. */
export const HEAP_ALIGNMENT = 256;

export interface Block {
  readonly offset: number;
  readonly bytes: number;
}

/**
 * First-fit allocator over one slab, with coalescing on free. It is deterministic: the same
 * sequence of alloc/free calls gives the same offsets on every rank, which is what makes the
 * heap symmetric. Zero-byte requests still take one aligned unit so every tensor has an address.
 */
/** Bytes of the heap block that holds `bytes`: a multiple of HEAP_ALIGNMENT, at least one. */
export function heapBlockBytes(bytes: number): number {
  return Math.max(HEAP_ALIGNMENT, Math.ceil(bytes / HEAP_ALIGNMENT) * HEAP_ALIGNMENT);
}

export class SlabAllocator {
  /** Free blocks, sorted by offset, never adjacent (adjacent ones are merged). */
  private free: Block[];
  private readonly live = new Map<number, number>();

  constructor(readonly capacity: number) {
    this.free = capacity > 0 ? [{ offset: 0, bytes: capacity }] : [];
  }

  static roundUp(bytes: number): number {
    return heapBlockBytes(bytes);
  }

  alloc(requested: number): Block {
    const bytes = SlabAllocator.roundUp(requested);
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i < 0) {
      throw new SymmetricMemoryError(
        `symmetric heap exhausted: requested ${requested} bytes (${bytes} aligned), ` +
          `available ${this.freeBytes()} bytes in total, largest free block ${this.largestFree()} bytes ` +
          `of a ${this.capacity}-byte heap; free tensors or launch with a larger heapBytes`,
      );
    }
    const b = this.free[i];
    if (b.bytes === bytes) this.free.splice(i, 1);
    else this.free[i] = { offset: b.offset + bytes, bytes: b.bytes - bytes };
    this.live.set(b.offset, bytes);
    return { offset: b.offset, bytes };
  }

  release(offset: number): void {
    const bytes = this.live.get(offset);
    if (bytes === undefined) {
      throw new SymmetricMemoryError(`free of offset ${offset}: no live allocation starts there`);
    }
    this.live.delete(offset);
    let i = this.free.findIndex((b) => b.offset > offset);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { offset, bytes });
    // merge with the next, then with the previous block
    const next = this.free[i + 1];
    if (next !== undefined && offset + bytes === next.offset) {
      this.free.splice(i, 2, { offset, bytes: bytes + next.bytes });
    }
    const prev = this.free[i - 1];
    const cur = this.free[i];
    if (prev !== undefined && prev.offset + prev.bytes === cur.offset) {
      this.free.splice(i - 1, 2, { offset: prev.offset, bytes: prev.bytes + cur.bytes });
    }
  }

  freeBytes(): number {
    return this.free.reduce((s, b) => s + b.bytes, 0);
  }

  largestFree(): number {
    return this.free.reduce((m, b) => Math.max(m, b.bytes), 0);
  }

  liveCount(): number {
    return this.live.size;
  }
}
