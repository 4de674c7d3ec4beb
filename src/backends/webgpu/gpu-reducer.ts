import { itemsize } from "../../core/dtype.ts";
import { OpError } from "../../core/errors.ts";
import type { HeapRegion, ReduceJob, Reducer } from "../../core/reducer.ts";
import { advanceRegion, writeRegion } from "../../core/region-span.ts";
import type { RegularTensor } from "../../core/tensor.ts";
import { resourcesOf } from "./device-resources.ts";
import { tensorUsage, writeBytes } from "./gpu-buffers.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";
import { cachedPerDevice } from "./pipeline-cache.ts";
import { prepareReduce, reduceCalls, srcStrideFor } from "./reduce-program.ts";

const ALIGN_ELEMS = 128; // chunk boundaries: 128 elements is ≥ 256 bytes for every dtype

/**
 * The most bytes of packed sources one chunk uploads, whatever the binding limits allow.
 * SwiftShader offers a 1 GiB maxStorageBufferBindingSize, so 4 sources of 256 MiB went up as one
 * 1 GiB buffer, whose allocation failed (GPUOutOfMemoryError in the shared GPU process) and every
 * element came out wrong (2026-12-04, BENCHMARKS.md issue 14 "Scale"). 64 MiB chunks still overlap
 * one chunk's upload with the previous one's kernel.
 */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

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

/**
 * The webgpu backend's reducer: each chunk's sources are uploaded from the heap into one packed
 * storage buffer (one writeBuffer per source, straight from the SharedArrayBuffer), reduced by the
 * WGSL kernel in rank order, and — for a heap destination — read back through the staging ring, in the
 * same submit as the last chunk's kernel, once for the
 * whole job. Chunks keep every binding under the device's limits.
 */
export class GpuReducer implements Reducer {
  constructor(private readonly device: GPUDevice) {}

  private chunkElems(sources: number, size: number): number {
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize, MAX_CHUNK_BYTES);
    const perSource = Math.floor(limit / (sources * size) / ALIGN_ELEMS) * ALIGN_ELEMS;
    return Math.max(ALIGN_ELEMS, perSource);
  }

  /**
   * Uploads and reduces every chunk into `dst` at the chunk's element offset; one submit per
   * chunk, except the last, which is left in `last` (when given) for the caller to submit; then
   * the returned function releases that chunk's uniforms and must be called after the submit.
   */
  private async run(job: ReduceJob, dst: GPUBuffer, last?: GPUCommandEncoder): Promise<() => void> {
    let pending = () => {};
    const { device } = this;
    // Compiles (once per device) and turns a shader error or a missing feature into an OpError.
    await prepareReduce(device, { dtype: job.dtype, op: job.op });
    const size = itemsize(job.dtype);
    const { pool, runner } = resourcesOf(device);
    const srcs = job.sources.map((s) => sourceBytes(s, job.count, size));
    const chunk = Math.min(this.chunkElems(job.sources.length, size), Math.ceil(job.count / ALIGN_ELEMS) * ALIGN_ELEMS);
    for (let e0 = 0; e0 < job.count; e0 += chunk) {
      const n = Math.min(chunk, job.count - e0);
      const stride = srcStrideFor(n);
      const packed = pool.acquire(job.sources.length * stride * size);
      const final = e0 + chunk >= job.count && last !== undefined;
      let deferred = false;
      try {
        srcs.forEach((bytes, r) => writeBytes(device.queue, packed, r * stride * size, bytes.subarray(e0 * size, (e0 + n) * size)));
        const encoder = final ? last : device.createCommandEncoder();
        const calls = reduceCalls(device, {
          src: packed, srcStride: stride, sources: job.sources.length,
          dst, dstOffsetBytes: e0 * size, count: n, dtype: job.dtype, op: job.op,
        });
        const encoded = runner.encode(encoder, calls, { label: `reduce ${job.dtype} ${job.op}` });
        if (final) {
          // Not submitted yet: its uniforms and packed sources stay ours until the caller submits.
          pending = () => {
            encoded.release();
            pool.release(packed);
          };
          deferred = true;
        } else {
          device.queue.submit([encoder.finish()]);
          encoded.release();
        }
      } finally {
        // Queue order keeps the submitted work's view of it; reusing it later is safe.
        if (!deferred) pool.release(packed);
      }
    }
    return pending;
  }

  /**
   * The result goes through one device buffer per piece of at most maxBufferSize bytes (one
   * piece, unless the job is that large); each piece's last kernel and its readback share a submit.
   */
  async reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void> {
    if (job.count === 0) return;
    const size = itemsize(job.dtype);
    const piece = piecesOf(job, dst, Math.floor(this.device.limits.maxBufferSize / size));
    for (let first = 0; first < job.count; first += piece) {
      const count = Math.min(piece, job.count - first);
      await this.reducePieceToHeap(subJob(job, first, count), advanceRegion(dst, first, size));
    }
  }

  private async reducePieceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void> {
    const { device } = this;
    const { pool, staging } = resourcesOf(device);
    const bytes = job.count * itemsize(job.dtype);
    const out = pool.acquire(paddedSize(bytes));
    try {
      const encoder = device.createCommandEncoder({ label: "reduce to heap" });
      const release = await this.run(job, out, encoder);
      try {
        // A strided destination (a tile) gets the packed result row by row, straight from the mapping.
        await staging.read(out, bytes, (mapped) => writeRegion(dst, mapped, job.count, itemsize(job.dtype)), { encoder });
      } finally {
        release();
      }
    } finally {
      pool.release(out);
    }
  }

  async reduceToTensor(job: ReduceJob, shape: readonly number[]): Promise<RegularTensor> {
    const bytes = job.count * itemsize(job.dtype);
    if (paddedSize(bytes) > this.device.limits.maxBufferSize) {
      throw new OpError(`webgpu reducer: a result of ${bytes} bytes does not fit one GPU buffer ` +
        `(maxBufferSize ${this.device.limits.maxBufferSize}); reduce into a heap tensor (an _out op) instead`);
    }
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

/** Elements per piece of at most `limit` elements, whole rows of strided sources and destination. */
function piecesOf(job: ReduceJob, dst: HeapRegion, limit: number): number {
  if (job.count <= limit) return job.count;
  const strided = [...job.sources, dst].filter((s) => s.rowLength !== undefined && s.rowStride !== s.rowLength);
  // Every strided region of a job has the same row length (the tile's); a multiple of it is whole rows of each.
  const row = strided[0]?.rowLength ?? ALIGN_ELEMS;
  const piece = Math.floor(limit / row) * row;
  if (piece === 0) throw new OpError(`webgpu reducer: rows of ${row} elements do not fit maxBufferSize`);
  return piece;
}

/** Elements [first, first + count) of a job (`first` a multiple of the sources' row length). */
function subJob(job: ReduceJob, first: number, count: number): ReduceJob {
  if (first === 0 && count === job.count) return job;
  const size = itemsize(job.dtype);
  return { ...job, sources: job.sources.map((s) => advanceRegion(s, first, size)), count };
}

export function gpuReducerFor(device: GPUDevice): GpuReducer {
  return cachedPerDevice(device, "reducer", () => new GpuReducer(device));
}
