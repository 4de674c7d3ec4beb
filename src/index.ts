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
export { detectRuntime, type RuntimeName } from "./runtime.ts";
export {
  LaunchError, OpError, PeerLostError, RankError, SchemaError, SymmetricMemoryError, TimeoutError, WebshmemError,
} from "./errors.ts";
