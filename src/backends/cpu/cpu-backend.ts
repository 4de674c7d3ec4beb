import { numelOf } from "../../core/dtype.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { Backend } from "../backend.ts";
import { HostEndpoint } from "../endpoint.ts";
import { hostArray } from "../host-array.ts";
import { cpuMatmulFor } from "./cpu-matmul.ts";
import { cpuReducer } from "./cpu-reducer.ts";
import { CpuTensor } from "./cpu-tensor.ts";

export { CpuTensor } from "./cpu-tensor.ts";

export const cpuBackend: Backend<CpuTensor> = {
  name: "cpu",
  isTensor: (value: unknown): value is CpuTensor => value instanceof CpuTensor,
  createTensor: (_rank, shape, dtype, data) => new CpuTensor(dtype, [...shape], hostArray(dtype, numelOf(shape), data)),
  toHeap: async (_rank, src: CpuTensor, dst: SymmetricTensor) => {
    dst.bytes.set(src.bytes);
  },
  fromHeap: async (_rank, src: SymmetricTensor, dst: CpuTensor) => {
    dst.bytes.set(src.bytes);
  },
  copy: (_rank, src: CpuTensor, dst: CpuTensor) => {
    dst.bytes.set(src.bytes);
  },
  read: async (_rank, t: CpuTensor) => t.data.slice(),
  fill32: (_rank, t: CpuTensor, offset, value, count) => {
    new Uint32Array(t.data.buffer, t.data.byteOffset, t.nbytes / 4).fill(value, offset, offset + count);
  },
  endpoint: (_rank, t: CpuTensor) => new HostEndpoint(t.bytes),
  dispose: (_rank, t: CpuTensor) => {
    t.disposed = true;
  },
  reducer: () => cpuReducer,
  matmul: (rank) => cpuMatmulFor(rank),
};
