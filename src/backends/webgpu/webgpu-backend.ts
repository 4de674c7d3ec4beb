import { OpError } from "../../errors.ts";
import { numelOf, typedView } from "../../heap/dtype.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { Rank } from "../../rank/rank.ts";
import type { Backend } from "../backend.ts";
import { hostArray } from "../cpu/cpu-backend.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";

// Read lazily: Node has no GPUBufferUsage global, and this module loads there too.
export const tensorUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** writeBuffer takes views over a SharedArrayBuffer (spec: AllowSharedBufferSource); the types lag. */
export function sharedSource(view: Uint8Array<SharedArrayBuffer>): GPUAllowSharedBufferSource {
  return view as unknown as GPUAllowSharedBufferSource;
}

function deviceOf(rank: Rank): GPUDevice {
  if (rank.device === null) {
    throw new OpError(`rank ${rank.rank}: the webgpu backend needs a GPUDevice, but this rank was launched with backend "${rank.backend}"`);
  }
  return rank.device;
}

/** Copies `bytes` of `buffer` back to the host with one staging buffer and one mapAsync. */
export async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const size = paddedSize(bytes);
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0, bytes);
  } finally {
    staging.destroy();
  }
}

export const webgpuBackend: Backend<GpuTensor> = {
  name: "webgpu",
  isTensor: (value: unknown): value is GpuTensor => value instanceof GpuTensor,
  createTensor(rank, shape, dtype, data) {
    const device = deviceOf(rank);
    const host = hostArray(dtype, numelOf(shape), data);
    const t = new GpuTensor(dtype, [...shape], device.createBuffer({ size: paddedSize(host.byteLength), usage: tensorUsage() }));
    if (host.byteLength > 0) {
      const padded = new Uint8Array(t.paddedBytes);
      padded.set(new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
      device.queue.writeBuffer(t.buffer, 0, padded);
    }
    return t;
  },
  async toHeap(rank, src: GpuTensor, dst: SymmetricTensor) {
    if (src.nbytes === 0) return;
    const bytes = await readBack(deviceOf(rank), src.buffer, src.nbytes);
    dst.bytes.set(new Uint8Array(bytes));
  },
  async fromHeap(rank, src: SymmetricTensor, dst: GpuTensor) {
    if (dst.nbytes === 0) return;
    // Heap blocks are 256-byte aligned and sized, so the padded tail is in bounds.
    const view = new Uint8Array(src.slab, src.byteOffset, paddedSize(src.nbytes));
    if (dst.nbytes % 4 === 0) {
      deviceOf(rank).queue.writeBuffer(dst.buffer, 0, sharedSource(view));
    } else {
      // keep the destination's padding bytes: copy the odd tail through a private buffer
      const tmp = new Uint8Array(paddedSize(dst.nbytes));
      tmp.set(view.subarray(0, dst.nbytes));
      deviceOf(rank).queue.writeBuffer(dst.buffer, 0, tmp);
    }
  },
  async read(rank, t: GpuTensor) {
    const bytes = await readBack(deviceOf(rank), t.buffer, t.nbytes);
    return typedView(t.dtype, bytes, 0, t.numel);
  },
  dispose(_rank, t: GpuTensor) {
    t.buffer.destroy();
  },
  reducer: () => {
    throw new OpError("the webgpu backend's reducer is not written yet");
  },
};
