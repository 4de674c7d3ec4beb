import { itemsize } from "../../heap/dtype.ts";
import type { HeapRegion, ReduceJob, Reducer } from "../../collectives/reducer.ts";
import type { RegularTensor } from "../backend.ts";
import { encodeReduce, prepareReduce, srcStrideFor } from "./reduce-kernel.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";
import { poolFor } from "./staging-pool.ts";
import { cachedPerDevice } from "./pipeline-cache.ts";
import { sharedSource, tensorUsage } from "./gpu-buffers.ts";

const ALIGN_ELEMS = 128; // chunk boundaries: 128 elements is ≥ 256 bytes for every dtype

/** The bytes of one source, contiguous: a view of the slab, or a host copy of strided rows. */
function sourceBytes(region: HeapRegion, count: number, size: number): Uint8Array {
  if (region.rowLength === undefined || region.rowStride === undefined || region.rowLength === region.rowStride) {
    return new Uint8Array(region.slab, region.byteOffset, count * size);
  }
  const out = new Uint8Array(count * size);
  const rowBytes = region.rowLength * size;
  const strideBytes = region.rowStride * size;
  const slab = new Uint8Array(region.slab);
  for (let row = 0, o = 0; o < out.length; row++, o += rowBytes) {
    const start = region.byteOffset + row * strideBytes;
    out.set(slab.subarray(start, start + rowBytes), o);
  }
  return out;
}

/** writeBuffer needs a size that is a multiple of 4: pad through a copy only when it is not. */
function writePadded(queue: GPUQueue, buffer: GPUBuffer, offset: number, bytes: Uint8Array): void {
  if (bytes.byteLength === 0) return;
  if (bytes.byteLength % 4 === 0) {
    queue.writeBuffer(buffer, offset, sharedSource(bytes as Uint8Array<SharedArrayBuffer>));
    return;
  }
  const padded = new Uint8Array(paddedSize(bytes.byteLength));
  padded.set(bytes);
  queue.writeBuffer(buffer, offset, padded);
}

/**
 * The webgpu backend's reducer: each chunk's sources are uploaded from the heap into one packed
 * storage buffer (one writeBuffer per source, straight from the SharedArrayBuffer), reduced by the
 * WGSL kernel in rank order, and — for a heap destination — copied back with one mapAsync for the
 * whole job. Chunks keep every binding under the device's limits.
 */
export class GpuReducer implements Reducer {
  constructor(private readonly device: GPUDevice) {}

  private chunkElems(sources: number, size: number): number {
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    const perSource = Math.floor(limit / (sources * size) / ALIGN_ELEMS) * ALIGN_ELEMS;
    return Math.max(ALIGN_ELEMS, perSource);
  }

  /** Uploads and reduces every chunk into `dst` at the chunk's element offset; one submit per chunk. */
  private async run(job: ReduceJob, dst: GPUBuffer): Promise<void> {
    const { device } = this;
    // Compiles (once per device) and turns a shader error or a missing feature into an OpError.
    await prepareReduce(device, { dtype: job.dtype, op: job.op });
    const size = itemsize(job.dtype);
    const pool = poolFor(device);
    const srcs = job.sources.map((s) => sourceBytes(s, job.count, size));
    const chunk = Math.min(this.chunkElems(job.sources.length, size), Math.ceil(job.count / ALIGN_ELEMS) * ALIGN_ELEMS);
    for (let e0 = 0; e0 < job.count; e0 += chunk) {
      const n = Math.min(chunk, job.count - e0);
      const stride = srcStrideFor(n);
      const packed = pool.acquire("storage", job.sources.length * stride * size);
      try {
        srcs.forEach((bytes, r) => writePadded(device.queue, packed, r * stride * size, bytes.subarray(e0 * size, (e0 + n) * size)));
        const encoder = device.createCommandEncoder();
        const encoded = encodeReduce(device, encoder, {
          src: packed, srcStride: stride, sources: job.sources.length,
          dst, dstOffsetBytes: e0 * size, count: n, dtype: job.dtype, op: job.op,
        });
        device.queue.submit([encoder.finish()]);
        encoded.release();
      } finally {
        // Queue order keeps the submitted work's view of it; reusing it later is safe.
        pool.release("storage", packed);
      }
    }
  }

  async reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void> {
    if (job.count === 0) return;
    const { device } = this;
    const pool = poolFor(device);
    const bytes = job.count * itemsize(job.dtype);
    const out = pool.acquire("storage", paddedSize(bytes));
    const staging = pool.acquire("staging", paddedSize(bytes));
    try {
      await this.run(job, out);
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(out, 0, staging, 0, paddedSize(bytes));
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ, 0, paddedSize(bytes));
      new Uint8Array(dst.slab, dst.byteOffset, bytes).set(new Uint8Array(staging.getMappedRange(0, paddedSize(bytes)), 0, bytes));
      staging.unmap();
    } finally {
      pool.release("storage", out);
      pool.release("staging", staging);
    }
  }

  async reduceToTensor(job: ReduceJob, shape: readonly number[]): Promise<RegularTensor> {
    const bytes = job.count * itemsize(job.dtype);
    const buffer = this.device.createBuffer({ size: paddedSize(bytes), usage: tensorUsage() });
    try {
      await this.run(job, buffer);
    } catch (e) {
      buffer.destroy();
      throw e;
    }
    return new GpuTensor(job.dtype, [...shape], buffer);
  }
}

export function gpuReducerFor(device: GPUDevice): GpuReducer {
  return cachedPerDevice(device, "reducer", () => new GpuReducer(device));
}
