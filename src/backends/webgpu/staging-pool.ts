import { cachedPerDevice } from "./pipeline-cache.ts";

/**
 * Reusable GPU buffers per device: MAP_READ staging buffers for readbacks and storage scratch for
 * packed kernel inputs and outputs. Sizes are bucketed to powers of two so a collective called
 * again with the same size reuses the same buffers instead of allocating.
 */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

export type PoolKind = "staging" | "storage";

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private pooledBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  static bucket(bytes: number): number {
    return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
  }

  acquire(kind: PoolKind, bytes: number): GPUBuffer {
    const size = BufferPool.bucket(bytes);
    const list = this.free.get(`${kind}:${size}`);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.pooledBytes -= size;
      return reused;
    }
    const usage = kind === "staging"
      ? GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST
      : GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return this.device.createBuffer({ size, usage, label: `webshmem ${kind} ${size}` });
  }

  release(kind: PoolKind, buffer: GPUBuffer): void {
    if (this.pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      buffer.destroy();
      return;
    }
    const key = `${kind}:${buffer.size}`;
    const list = this.free.get(key) ?? [];
    list.push(buffer);
    this.free.set(key, list);
    this.pooledBytes += buffer.size;
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}

export function poolFor(device: GPUDevice): BufferPool {
  return cachedPerDevice(device, "buffer-pool", () => new BufferPool(device));
}
