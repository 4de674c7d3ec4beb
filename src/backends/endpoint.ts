/**
 * Where a tensor lives, seen from a staged pipeline (the host all-reduce): how to stage a chunk
 * of it into this rank's heap (a GPU readback, or a host copy) and how to write a reduced slice
 * back (writeBuffer from the heap view, or a host copy). Each backend makes its own with
 * `backend.endpoint(rank, tensor)`; host memory uses HostEndpoint.
 */

export interface TensorEndpoint {
  /** Bytes of the tensor. */
  readonly nbytes: number;
  /** The tensor's bytes, when it lives in host memory (a pipeline may then skip staging). */
  readonly hostBytes: Uint8Array | undefined;
  /** Bytes `stage` may write past `length` (the GPU copies whole 4-byte words). */
  readonly stagePadding: number;
  /**
   * Copies bytes [offset, offset + length) of the tensor into `dst` (a heap view of at least
   * length + stagePadding bytes). Resolves when they are there. Chunks are staged in order.
   */
  stage(offset: number, length: number, dst: Uint8Array): Promise<void>;
  /** Writes `src` (exactly the bytes to write; a heap view) into the tensor at `offset`. */
  write(offset: number, src: Uint8Array): void;
  /**
   * Every slice of the chunk [offset, offset + length) has been written. (A hook: gathering a
   * chunk's slices into one private buffer and one writeBuffer here was measured no faster on
   * Deno or Chromium than a writeBuffer per slice straight from the heap, so nothing is left to do.)
   */
  flush(offset: number, length: number): void;
}

/** A tensor in host memory (a CpuTensor's bytes, or a heap tensor of another group). */
export class HostEndpoint implements TensorEndpoint {
  readonly stagePadding = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get hostBytes(): Uint8Array {
    return this.bytes;
  }

  get nbytes(): number {
    return this.bytes.length;
  }

  stage(offset: number, length: number, dst: Uint8Array): Promise<void> {
    dst.set(this.bytes.subarray(offset, offset + length));
    return Promise.resolve();
  }

  write(offset: number, src: Uint8Array): void {
    this.bytes.set(src, offset);
  }

  flush(): void {}
}

