/**
 * The one readback path of the library: GPU bytes → a MAP_READ staging buffer → the host. Every
 * readback (toHeap, read, the reducer's result, the host pipeline's chunks, the benchmark's own
 * measurements) goes through `StagingRing.read`, so `mapAsync` is called here and nowhere else.
 *
 * Staging buffers are kept per size class (powers of two from 256 bytes) and reused: the first
 * readback of a class creates RING_DEPTH buffers at once, so that many readbacks of that size can
 * be in flight without creating buffers on the way (creating and mapping a fresh MAP_READ buffer
 * per readback was measured in Chrome at 0.52 ms against 0.22 ms with a reused ring). A class
 * grows past RING_DEPTH when more are in flight, and keeps at most MAX_POOLED_BYTES in all.
 *
 * Each readback also reports the device's errors since the last one (device-errors.ts): a
 * DeviceError instead of bytes computed after a failed allocation or an invalid command.
 */
import { OpError } from "../../core/errors.ts";
import type { DeviceErrors } from "./device-errors.ts";

/** Staging buffers created together the first time a size class is used. */
export const RING_DEPTH = 3;
const MIN_CLASS = 256;
const MAX_POOLED_BYTES = 256 * 1024 * 1024;

/** Observes readbacks (the benchmark's breakdown); `wait` is the copy + map of one readback. */
export interface ReadbackObserver {
  readback<T>(bytes: number, wait: () => Promise<T>): Promise<T>;
}

let observer: ReadbackObserver | undefined;

/** Installs (or, with undefined, removes) the observer of every ring in this realm. */
export function observeReadbacks(o: ReadbackObserver | undefined): void {
  observer = o;
}

export interface ReadOptions {
  /** Bytes from the start of `src`. Multiple of 4. Default 0. */
  readonly srcOffset?: number;
  /** Commands to submit before the copy, in the same submission (e.g. a kernel writing `src`). */
  readonly encoder?: GPUCommandEncoder;
}

export class StagingRing {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pooledBytes = 0;
  private created = 0;
  private destroyed = false;

  constructor(private readonly device: GPUDevice, private readonly errors?: DeviceErrors) {}

  /** The size class (buffer size) for `bytes`: a power of two from 256, never past `maxBytes`. */
  static sizeClass(bytes: number, maxBytes = Infinity): number {
    const pow2 = Math.max(MIN_CLASS, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    return pow2 <= maxBytes ? pow2 : Math.max(bytes, Math.floor(maxBytes / 4) * 4);
  }

  /** Staging buffers this ring has created so far (for tests and diagnostics). */
  get buffersCreated(): number {
    return this.created;
  }

  /** Buffers waiting for reuse, per size class. */
  freeCount(sizeClass: number): number {
    return this.free.get(sizeClass)?.length ?? 0;
  }

  /**
   * Copies `bytes` bytes of `src` (rounded up to 4 for the copy) into a staging buffer, maps it
   * and hands the mapped bytes (exactly `bytes` long) to `use`, whose result this resolves to.
   * The view is valid only inside `use`: copy out of it, do not keep it.
   */
  async read<T>(src: GPUBuffer, bytes: number, use: (mapped: Uint8Array) => T, opts: ReadOptions = {}): Promise<T> {
    if (this.destroyed) throw new OpError("staging ring: used after its device's resources were released");
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.acquire(size);
    let mapped = false;
    try {
      const encoder = opts.encoder ?? this.device.createCommandEncoder({ label: "webshmem readback" });
      encoder.copyBufferToBuffer(src, opts.srcOffset ?? 0, staging, 0, size);
      this.device.queue.submit([encoder.finish()]);
      const map = () => staging.mapAsync(GPUMapMode.READ, 0, size);
      try {
        await (observer === undefined ? map() : observer.readback(size, map));
      } catch (e) {
        // A mapping that failed because of an earlier error (an invalid buffer) says less than that error.
        this.errors?.throwIfAny("webgpu readback");
        throw e;
      }
      mapped = true;
      this.errors?.throwIfAny("webgpu readback");
      return use(new Uint8Array(staging.getMappedRange(0, size), 0, bytes));
    } finally {
      if (mapped) staging.unmap();
      this.release(staging);
    }
  }

  /** Releases every pooled buffer; buffers of readbacks still in flight are destroyed on return. */
  destroy(): void {
    this.destroyed = true;
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }

  private acquire(bytes: number): GPUBuffer {
    const size = StagingRing.sizeClass(bytes, this.device.limits.maxBufferSize);
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
      // The first use of a class: fill the ring (this readback takes one), so the next
      // RING_DEPTH - 1 readbacks in flight find buffers ready.
      for (let i = 0; i < RING_DEPTH && this.pooledBytes + size <= MAX_POOLED_BYTES; i++) {
        list.push(this.create(size));
        this.pooledBytes += size;
      }
    }
    const reused = list.pop();
    if (reused !== undefined) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.create(size);
  }

  private create(size: number): GPUBuffer {
    this.created++;
    return this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `webshmem staging ${size}` });
  }

  private release(buffer: GPUBuffer): void {
    if (this.destroyed || this.pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      buffer.destroy();
      return;
    }
    this.free.get(buffer.size)?.push(buffer) ?? this.free.set(buffer.size, [buffer]);
    this.pooledBytes += buffer.size;
  }
}
