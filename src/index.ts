/** webshmem: symmetric memory and collectives for WebGPU workers. The public API, and only it. */
export { launch, MAX_HEAP_BYTES, MAX_WORLD_SIZE, type LaunchOptions } from "./launch/launch.ts";
export { World } from "./launch/world.ts";
export { Rank, type BackendName } from "./rank/rank.ts";
export { type AdapterSummary, describeAdapter } from "./rank/device.ts";
export { SymmetricHeap, type GroupRef } from "./heap/symmetric-heap.ts";
export { SymmetricTensor, type Allocation } from "./heap/symmetric-tensor.ts";
export { SymmetricMemoryHandle } from "./heap/handle.ts";
export { Group } from "./heap/group.ts";
export type { SignalOptions } from "./heap/signal-pad.ts";
export { type DType, DTYPES, itemsize, normalizeDType } from "./heap/dtype.ts";
export { HEAP_ALIGNMENT } from "./heap/allocator.ts";
// the op library
export { Library, findOp, listOps, type DefineOptions, type Kernel, type LibraryKind, type OpEntry } from "./library/library.ts";
export { parseSchema } from "./library/schema-parser.ts";
export { OpSchema, type Argument, type ArgType, type Return } from "./library/schema.ts";
export { symmMemRegistry, SymmMemRegistry } from "./library/symm-mem-registry.ts";
export { bindArguments, type BoundArgs } from "./library/bind.ts";
export { Dispatcher, isTensor, type DispatchStats, type OpContext } from "./dispatch/dispatcher.ts";
export type { OpCaller, OpsNamespace } from "./dispatch/ops-proxy.ts";
export { SYMM_MEM_NAMESPACE, SYMM_MEM_OPS, type BuiltinOp } from "./ops/symm-mem-ops.ts";
// backends
export {
  backendOf, getBackend, listBackends, registerBackend, unregisterBackend,
  type Backend, type RegularTensor, type Tensor, type TensorData,
} from "./backends/backend.ts";
export { CpuTensor } from "./backends/cpu/cpu-backend.ts";
export { GpuTensor } from "./backends/webgpu/gpu-tensor.ts";
import "./backends/builtin.ts";
export { type AnyTypedArray } from "./heap/dtype.ts";
export { detectRuntime, type RuntimeName } from "./runtime.ts";
export {
  LaunchError, OpError, PeerLostError, RankError, SchemaError, SymmetricMemoryError, TimeoutError, WebshmemError,
} from "./errors.ts";
// collectives
export { type HeapRegion, type ReduceJob, type Reducer } from "./collectives/reducer.ts";
export { checkReduction, COLLECTIVE_DTYPES, REDUCE_OPS, type CollectiveDType, type ReduceOp } from "./collectives/reduce-op.ts";
export { referenceReduce } from "./collectives/reduce-math.ts";
export { forEachRun, peerBytes, peerRegion, regionSpan, type RegionOptions, type RowLayout } from "./collectives/regions.ts";
export {
  type AllReduceOptions, type BroadcastOptions, type CollectiveOptions, type ReduceScatterOptions,
} from "./collectives/high-level.ts";
export {
  ALL_REDUCE_TUNING, allReduceTuning, chooseAllReduceAlgo, type AllReduceAlgo, type AllReduceTuning,
} from "./collectives/tuning.ts";
export { type GetDestination } from "./heap/one-sided.ts";
export { SYMM_MEM_KERNELS } from "./ops/symm-mem-kernels.ts";
export { CpuReducer } from "./backends/cpu/cpu-reducer.ts";
// Registers the symm_mem kernels (cpu and webgpu) in this realm; after the op definitions above.
import "./ops/symm-mem-kernels.ts";
import "./ops/webshmem-ops.ts";
