import { numelOf, typedView } from "../../core/dtype.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { Backend } from "../backend.ts";
import { hostArray } from "../host-array.ts";
import { releaseDeviceResources, resourcesOf } from "./device-resources.ts";
import { deviceOf, readBack, tensorUsage, writeBytes } from "./gpu-buffers.ts";
import { GpuEndpoint } from "./gpu-endpoint.ts";
import { gpuMatmulerFor } from "./gpu-matmul.ts";
import { gpuReducerFor } from "./gpu-reducer.ts";
import { GpuTensor, paddedSize } from "./gpu-tensor.ts";

export const webgpuBackend: Backend<GpuTensor> = {
  name: "webgpu",
  isTensor: (value: unknown): value is GpuTensor => value instanceof GpuTensor,
  createTensor(rank, shape, dtype, data) {
    const device = deviceOf(rank);
    const host = hostArray(dtype, numelOf(shape), data);
    const t = new GpuTensor(dtype, [...shape], device.createBuffer({ size: paddedSize(host.byteLength), usage: tensorUsage() }));
    if (host.byteLength > 0) writeBytes(device.queue, t.buffer, 0, new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
    return t;
  },
  async toHeap(rank, src: GpuTensor, dst: SymmetricTensor) {
    if (src.nbytes === 0) return;
    const bytes = dst.bytes;
    await resourcesOf(deviceOf(rank)).staging.read(src.buffer, src.nbytes, (mapped) => bytes.set(mapped));
  },
  async fromHeap(rank, src: SymmetricTensor, dst: GpuTensor) {
    if (dst.nbytes === 0) return;
    // Heap blocks are 256-byte aligned and sized, so the padded tail is in bounds; a tensor whose
    // size is not a multiple of 4 keeps its own padding bytes (zero since creation).
    const view = new Uint8Array(src.slab, src.byteOffset, dst.nbytes % 4 === 0 ? dst.nbytes : src.nbytes);
    writeBytes(deviceOf(rank).queue, dst.buffer, 0, view);
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
  fill32(rank, t: GpuTensor, offset, value, count) {
    deviceOf(rank).queue.writeBuffer(t.buffer, offset * 4, new Uint32Array(count).fill(value));
  },
  endpoint: (rank, t: GpuTensor) => new GpuEndpoint(deviceOf(rank), t),
  dispose(_rank, t: GpuTensor) {
    t.buffer.destroy();
  },
  reducer: (rank) => gpuReducerFor(deviceOf(rank)),
  matmul: (rank) => gpuMatmulerFor(deviceOf(rank), rank.rank),
  shutdown(rank) {
    if (rank.device !== null) releaseDeviceResources(rank.device);
  },
};
