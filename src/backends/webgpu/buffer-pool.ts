/**
 * Reusable storage buffers per device: scratch for packed kernel inputs and outputs. Sizes are
 * bucketed to powers of two so a collective called again with the same size reuses the same
 * buffers instead of allocating. (Readback staging buffers are the StagingRing's.)
 */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pooledBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Powers of two from 256, but never past `maxBytes` (a device's maxBufferSize need not be one). */
  static bucket(bytes: number, maxBytes = Infinity): number {
    const pow2 = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    return pow2 <= maxBytes ? pow2 : Math.max(bytes, Math.floor(maxBytes / 4) * 4);
  }

  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.bucket(bytes, this.device.limits.maxBufferSize);
    const reused = this.free.get(size)?.pop();
    if (reused !== undefined) {
      this.pooledBytes -= size;
      return reused;
    }
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return this.device.createBuffer({ size, usage, label: `webshmem storage ${size}` });
  }

  /** Queue order keeps submitted work's view of a released buffer: reusing it later is safe. */
  release(buffer: GPUBuffer): void {
    if (this.pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      buffer.destroy();
      return;
    }
    const list = this.free.get(buffer.size);
    if (list === undefined) this.free.set(buffer.size, [buffer]);
    else list.push(buffer);
    this.pooledBytes += buffer.size;
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
