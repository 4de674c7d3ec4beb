/**
 * The webgpu backend's matmul: GpuTensors are bound whole (a matrix anywhere in its buffer,
 * addressed by element offset and row stride: no 256-byte binding alignment to meet); a heap
 * operand is uploaded from this rank's slab into a pooled buffer (the span of its rows, one
 * writeBuffer); a heap `out` is computed into a pooled buffer and read back through the staging
 * ring in the kernel's submit, then written row by row into the slab (bytes between rows untouched).
 */
import { itemsize } from "../../core/dtype.ts";
import { OpError } from "../../core/errors.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import { writeRegion } from "../../core/region-span.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkMatmulJob, type MatmulJob, type Matmuler, type MatrixLayout } from "../matmul.ts";
import { resourcesOf } from "./device-resources.ts";
import { writeBytes } from "./gpu-buffers.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";
import { type BoundMatrix, matmulCalls, matmulProgram } from "./matmul-program.ts";
import { cachedPerDevice } from "./pipeline-cache.ts";

export interface GpuMatmulOptions {
  /** Tests only: a smaller maxComputeWorkgroupsPerDimension, to exercise 2-D folding. */
  readonly maxGroupsPerDim?: number;
}

export class GpuMatmuler implements Matmuler {
  private readonly where: string;

  constructor(private readonly device: GPUDevice, rank: number, private readonly options: GpuMatmulOptions = {}) {
    this.where = `webgpu matmul on rank ${rank}`;
  }

  async mm(job: MatmulJob): Promise<void> {
    const { device, where } = this;
    const c = checkMatmulJob(job, where);
    if (c.m === 0 || c.n === 0) return;
    const { runner, pool, staging } = resourcesOf(device);
    const program = matmulProgram(c.dtype);
    await runner.prepare([program]); // a missing shader-f16 or a compile error is an OpError here
    const size = itemsize(c.dtype);
    const pooled: GPUBuffer[] = [];
    const scratch = (bytes: number): GPUBuffer => {
      const buffer = pool.acquire(bytes);
      pooled.push(buffer);
      return buffer;
    };
    try {
      const encoder = device.createCommandEncoder({ label: "matmul" });
      const outBuffer = c.out.tensor instanceof GpuTensor ? c.out.tensor.buffer : undefined;
      const a = this.input(c.a, "a", outBuffer, encoder, scratch);
      const b = this.input(c.b, "b", outBuffer, encoder, scratch);
      const heapOut = c.out.tensor instanceof SymmetricTensor;
      const outBytes = c.m * c.n * size;
      const out: BoundMatrix = heapOut
        ? { binding: this.scratchBinding(scratch, outBytes, "out"), offset: 0, stride: c.n }
        : { binding: this.whole(this.gpuTensor(c.out, "out"), "out"), offset: c.out.offset, stride: c.out.rowStride };
      const calls = matmulCalls(c.dtype, c, a, b, out);
      const encoded = runner.encode(encoder, calls, {
        label: `matmul ${c.dtype} ${c.m}x${c.k}x${c.n}`, maxGroupsPerDim: this.options.maxGroupsPerDim,
      });
      try {
        if (heapOut) {
          const t = c.out.tensor as SymmetricTensor;
          const dst: HeapRegion = {
            slab: t.slab, byteOffset: t.byteOffset + c.out.offset * size, rowLength: c.n, rowStride: c.out.rowStride,
          };
          await staging.read(out.binding.buffer, outBytes, (mapped) => writeRegion(dst, mapped, c.m * c.n, size), { encoder });
        } else {
          device.queue.submit([encoder.finish()]);
        }
      } finally {
        encoded.release();
      }
    } finally {
      // Queue order keeps the submitted work's view of them: reusing them later is safe.
      for (const buffer of pooled) pool.release(buffer);
    }
  }

  /**
   * An operand: a GpuTensor bound whole (copied first when it is also `out`'s buffer: WebGPU
   * forbids one buffer as read and read_write storage in one dispatch), or a heap matrix's rows
   * uploaded into scratch.
   */
  private input(
    m: MatrixLayout, name: string, outBuffer: GPUBuffer | undefined, encoder: GPUCommandEncoder,
    scratch: (bytes: number) => GPUBuffer,
  ): BoundMatrix {
    const size = itemsize(m.tensor.dtype);
    if (m.tensor instanceof GpuTensor) {
      const t = m.tensor;
      if (t.buffer !== outBuffer) return { binding: this.whole(t, name), offset: m.offset, stride: m.rowStride };
      const binding = this.scratchBinding(scratch, t.paddedBytes, name);
      encoder.copyBufferToBuffer(t.buffer, 0, binding.buffer, 0, t.paddedBytes);
      return { binding, offset: m.offset, stride: m.rowStride };
    }
    if (m.tensor instanceof SymmetricTensor) {
      const bytes = m.span * size;
      const binding = this.scratchBinding(scratch, bytes, name);
      const t = m.tensor;
      writeBytes(this.device.queue, binding.buffer, 0, new Uint8Array(t.slab, t.byteOffset + m.offset * size, bytes));
      return { binding, offset: 0, stride: m.rowStride };
    }
    return { binding: this.whole(this.gpuTensor(m, name), name), offset: m.offset, stride: m.rowStride };
  }

  /** The matrix's tensor as a GpuTensor; an OpError for another backend's tensor. */
  private gpuTensor(m: MatrixLayout, name: string): GpuTensor {
    if (m.tensor instanceof GpuTensor) return m.tensor;
    throw new OpError(`${this.where}: ${name} expected a webgpu tensor or a symmetric tensor, found a ` +
      `${(m.tensor as { backend?: string }).backend} ${m.tensor.dtype} tensor`);
  }

  private whole(t: GpuTensor, name: string): GPUBufferBinding {
    this.checkBinding(t.buffer.size, name);
    return { buffer: t.buffer, offset: 0, size: t.buffer.size };
  }

  /** A scratch buffer of at least `bytes` bytes (rounded up to 4), bound from its start. */
  private scratchBinding(scratch: (bytes: number) => GPUBuffer, bytes: number, name: string): GPUBufferBinding {
    const size = paddedSize(bytes);
    this.checkBinding(size, name);
    return { buffer: scratch(size), offset: 0, size };
  }

  private checkBinding(bytes: number, name: string): void {
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new OpError(`${this.where}: ${name} needs a binding of ${bytes} bytes, expected at most ` +
        `maxStorageBufferBindingSize (${max}); split the matmul into row blocks`);
    }
  }
}

/** The backend's `matmul(rank)`: one Matmuler per device. */
export function gpuMatmulerFor(device: GPUDevice, rank: number): GpuMatmuler {
  return cachedPerDevice(device, "matmuler", () => new GpuMatmuler(device, rank));
}
