import { numelOf, typedView } from "../../heap/dtype.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { Backend } from "../backend.ts";
import { hostArray } from "../cpu/cpu-backend.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";
import { gpuReducerFor } from "./gpu-reducer.ts";
import { deviceOf, readBack, sharedSource, tensorUsage } from "./gpu-buffers.ts";

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
  copy(rank, src: GpuTensor, dst: GpuTensor) {
    if (src.nbytes === 0) return;
    const device = deviceOf(rank);
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, Math.min(src.paddedBytes, dst.paddedBytes));
    device.queue.submit([encoder.finish()]);
  },
  async read(rank, t: GpuTensor) {
    const bytes = await readBack(deviceOf(rank), t.buffer, t.nbytes);
    return typedView(t.dtype, bytes, 0, t.numel);
  },
  dispose(_rank, t: GpuTensor) {
    t.buffer.destroy();
  },
  reducer: (rank) => gpuReducerFor(deviceOf(rank)),
};
