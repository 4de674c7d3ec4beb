/**
 * Where the caller's tensor of a host all-reduce lives, seen from the chunk pipeline: how to stage
 * a chunk of it into this rank's heap (a GPU readback, or a host copy) and how to write a reduced
 * slice back (writeBuffer from the heap view, or a host copy).
 */
import { paddedSize } from "../backends/webgpu/gpu-tensor.ts";
import type { GpuTensor } from "../backends/webgpu/gpu-tensor.ts";
import { sharedSource } from "../backends/webgpu/gpu-buffers.ts";
import { poolFor } from "../backends/webgpu/staging-pool.ts";

export interface TensorEndpoint {
  /** Bytes of the tensor. */
  readonly nbytes: number;
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

/**
 * A GpuTensor on this rank's device: a chunk is staged with one copyBufferToBuffer into a pooled
 * MAP_READ buffer and one mapAsync (several chunks in flight at once); a slice is written with one
 * writeBuffer straight from the SharedArrayBuffer view, which copies it at call time (so the heap
 * may be reused as soon as it returns) and is ordered after every earlier submit on the queue,
 * so a slice never overtakes the readback of its own chunk.
 */
export class GpuEndpoint implements TensorEndpoint {
  readonly stagePadding = 3;
  /** The bytes after nbytes up to the 4-byte boundary, as read back (kept when the tail is written). */
  private tail: Uint8Array | undefined;

  constructor(private readonly device: GPUDevice, private readonly tensor: GpuTensor) {}

  get nbytes(): number {
    return this.tensor.nbytes;
  }

  async stage(offset: number, length: number, dst: Uint8Array): Promise<void> {
    const size = paddedSize(length);
    const pool = poolFor(this.device);
    const staging = pool.acquire("staging", size);
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(this.tensor.buffer, offset, staging, 0, size);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ, 0, size);
      const mapped = new Uint8Array(staging.getMappedRange(0, size));
      dst.set(mapped);
      if (offset + length === this.tensor.nbytes && size > length) this.tail = mapped.slice(length);
      staging.unmap();
    } finally {
      pool.release("staging", staging);
    }
  }

  write(offset: number, src: Uint8Array): void {
    if (src.length === 0) return;
    if (src.length % 4 === 0) {
      this.device.queue.writeBuffer(this.tensor.buffer, offset, sharedSource(src as Uint8Array<SharedArrayBuffer>));
      return;
    }
    // Only the tensor's last slice can end off a word: pad it with the bytes that were there.
    const padded = new Uint8Array(paddedSize(src.length));
    padded.set(src);
    if (this.tail !== undefined) padded.set(this.tail.subarray(0, padded.length - src.length), src.length);
    this.device.queue.writeBuffer(this.tensor.buffer, offset, padded);
  }

  flush(): void {}
}
