/**
 * webshmem: symmetric memory and collectives for WebGPU workers. The public API, and only it:
 * what an application, a downstream op library or a backend plugin writes against. What the
 * benchmark and the tests need beyond it is in `internal.ts` (unstable).
 */
// launching ranks
export { launch, MAX_HEAP_BYTES, MAX_WORLD_SIZE, type LaunchOptions } from "./launch/launch.ts";
export { World, type SignalPadWords } from "./launch/world.ts";
export { Rank, type BackendName } from "./rank/rank.ts";
export { type AdapterSummary, describeAdapter } from "./rank/device.ts";
// the symmetric heap
export type {
  SymmetricHeap, GroupRef, EmptyOptions, HeapAllocationInfo, HeapSnapshot, PadGroupInfo,
} from "./heap/symmetric-heap.ts";
export { padWord } from "./heap/symmetric-heap.ts";
export { SymmetricTensor, type Allocation } from "./heap/symmetric-tensor.ts";
export type { SymmetricMemoryHandle } from "./heap/handle.ts";
export type { Group } from "./heap/group.ts";
export type { SignalOptions, SignalPad } from "./heap/sync/signal-pad.ts";
export type { GetDestination } from "./heap/one-sided.ts";
export { HEAP_ALIGNMENT, heapBlockBytes } from "./heap/allocator.ts";
export { type AnyTypedArray, type DType, DTYPES, itemsize, normalizeDType } from "./core/dtype.ts";
export type { TypedArrayFor } from "./core/dtype.ts";
// the op library
export {
  Library, findOp, listOps, type DefineOptions, type DefinitionHandle, type Kernel, type LibraryKind, type OpEntry,
  type RegistrationHandle, runMeta, tensorMeta, type MetaContext, type MetaEnvironment, type MetaKernel, type TensorMeta,
} from "./library/library.ts";
export { parseSchema } from "./library/schema-parser.ts";
export { OpSchema, type Argument, type ArgType, type Return } from "./library/schema.ts";
export type {
  AliasInfo, ComplexValue, DefaultScalar, DefaultValue, OpSchemaParts, SchemaAppliedType, SchemaBaseType, SchemaListType,
  SchemaOptionalType, SchemaTupleType, SchemaType, TypeConstructor, TypeKind,
} from "./library/schema.ts";
export { TAGS, type Tag } from "./library/tags.ts";
export { symmMemRegistry, SymmMemRegistry } from "./library/symm-mem-registry.ts";
export type { BoundArgs } from "./library/bind.ts";
export type { DispatchStats } from "./dispatch/dispatcher.ts";
export type { OpCaller, OpsNamespace } from "./dispatch/ops-proxy.ts";
export { SYMM_MEM_NAMESPACE, SYMM_MEM_OPS, type BuiltinOp } from "./ops/symm_mem/definitions.ts";
export { SYMM_MEM_KERNELS } from "./ops/symm_mem/kernels.ts";
export { WEBSHMEM_NAMESPACE, WEBSHMEM_OPS, type WebshmemOp } from "./ops/webshmem/definitions.ts";
export { registerBuiltinKernels } from "./ops/builtin-kernels.ts";
export type { HostAllReduceTuning } from "./ops/webshmem/host-tuning.ts";
export type { HostAllReduceTrace } from "./ops/webshmem/host-trace.ts";
// backends and what a plugin implements
export {
  backendOf, getBackend, listBackends, registerBackend, unregisterBackend,
  type Backend, type MatmulJob, type Matmuler, type MatrixRef, type RegularTensor, type Tensor, type TensorData,
} from "./backends/backend.ts";
export type { OpContext, OpEvent } from "./backends/context.ts";
export type { RankContext } from "./backends/rank-context.ts";
export { HostEndpoint, type TensorEndpoint } from "./backends/endpoint.ts";
export type { HeapRegion, ReduceJob, Reducer } from "./core/reducer.ts";
export { COLLECTIVE_DTYPES, REDUCE_OPS, type CollectiveDType, type ReduceOp } from "./core/reduce-op.ts";
// The in-tree backends' tensors, for code that works with their memory (a GPUBuffer, a typed array).
export { CpuTensor } from "./backends/cpu/cpu-tensor.ts";
export { GpuTensor } from "./backends/webgpu/gpu-tensor.ts";
// collectives
export type {
  AllReduceOptions, BroadcastOptions, CollectiveOptions, ReduceScatterOptions,
} from "./api/collectives.ts";
export type { AllReduceAlgo } from "./api/tuning.ts";
// planning ahead (rank.plan)
export type { PlanCaller, PlannedStep, PlanOptions, PlanStats, StepFunction } from "./plan/planned-step.ts";
// errors and runtimes
export {
  AgreementError, DeviceError, GroupBrokenError, LaunchError, OpError, PeerLostError, RankError, SchemaError, SymmetricMemoryError,
  TimeoutError, WebshmemError, WorkerLostError,
} from "./core/errors.ts";
export { detectRuntime, type RuntimeName } from "./core/runtime.ts";
