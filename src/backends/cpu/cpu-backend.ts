import { numelOf } from "../../heap/dtype.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { Backend } from "../backend.ts";
import { cpuReducer } from "./cpu-reducer.ts";
import { CpuTensor, hostArray } from "./cpu-tensor.ts";

export { CpuTensor, hostArray } from "./cpu-tensor.ts";

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
  dispose: (_rank, t: CpuTensor) => {
    t.disposed = true;
  },
  reducer: () => cpuReducer,
};
