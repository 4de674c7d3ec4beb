import type { TensorEndpoint } from "../endpoint.ts";
import { resourcesOf } from "./device-resources.ts";
import { writeBytes } from "./gpu-buffers.ts";
import { type GpuTensor, paddedSize } from "./gpu-tensor.ts";

/**
 * A GpuTensor on this rank's device: a chunk is staged with one readback through the staging
 * ring (several chunks in flight at once); a slice is written with one writeBuffer straight from
 * the SharedArrayBuffer view, which copies it at call time (so the heap may be reused as soon as
 * it returns) and is ordered after every earlier submit on the queue, so a slice never overtakes
 * the readback of its own chunk.
 */
export class GpuEndpoint implements TensorEndpoint {
  readonly stagePadding = 3;
  readonly hostBytes = undefined;
  /** The bytes after nbytes up to the 4-byte boundary, as read back (kept when the tail is written). */
  private tail: Uint8Array | undefined;

  constructor(private readonly device: GPUDevice, private readonly tensor: GpuTensor) {}

  get nbytes(): number {
    return this.tensor.nbytes;
  }

  stage(offset: number, length: number, dst: Uint8Array): Promise<void> {
    const size = paddedSize(length);
    return resourcesOf(this.device).staging.read(this.tensor.buffer, size, (mapped) => {
      dst.set(mapped);
      if (offset + length === this.tensor.nbytes && size > length) this.tail = mapped.slice(length);
    }, { srcOffset: offset });
  }

  write(offset: number, src: Uint8Array): void {
    // Only the tensor's last slice can end off a word: it is padded with the bytes that were there.
    writeBytes(this.device.queue, this.tensor.buffer, offset, src, this.tail);
  }

  flush(): void {}
}
