/**
 * webshmem's internal entry: what the benchmark and the tests use beyond the public API.
 * UNSTABLE: names here may change or go away in any release; applications should import from
 * the public entry (`index.ts`) only.
 */
export * from "./index.ts";
// arithmetic and the reference the tests compare against
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, narrow, referenceReduce, widen } from "./core/reduce-math.ts";
export { checkReduction } from "./core/reduce-op.ts";
export { HostReducer, hostReducer, type ReductionEngine } from "./core/host-reducer.ts";
export { directSupported, isHeapMemory } from "./core/wasm/direct-wasm.ts";
export { sliceOf } from "./core/slices.ts";
export { forEachRun, regionSpan, type RowLayout } from "./core/region-span.ts";
export { typedView } from "./core/dtype.ts";
// the heap's internals
export { peerBytes, peerRegion, type RegionOptions } from "./heap/peer-regions.ts";
export { SymmetricMemoryHandle } from "./heap/handle.ts";
// the library and dispatcher
export { bindArguments } from "./library/bind.ts";
export { isTensorMeta, metaGroups, metaKernelOf, type OpHolders } from "./library/library.ts";
export { Dispatcher, isTensor } from "./dispatch/dispatcher.ts";
// algorithm choice and the host pipeline's settings
export {
  ALL_REDUCE_TUNING, allReduceTuning, chooseAllReduceAlgo, type AllReduceTuning,
} from "./api/tuning.ts";
export { DEFAULT_HOST_TUNING, defaultHostTuning, hostTuning } from "./ops/webshmem/host-tuning.ts";
export { HOST_TRACE_EVENT } from "./ops/webshmem/host-trace.ts";
export { deviceDescriptorFor, noAdapterHelp } from "./rank/device.ts";
export { SWIFTSHADER_ICD } from "./rank/node-gpu.ts";
// the in-tree backends' machinery (the benchmark's baselines use the same staging path)
export { CpuReducer } from "./backends/cpu/cpu-reducer.ts";
export { resourcesOf, releaseDeviceResources, type DeviceResources } from "./backends/webgpu/device-resources.ts";
export { observeReadbacks, RING_DEPTH, StagingRing, type ReadbackObserver } from "./backends/webgpu/staging-ring.ts";
export { paddedSize } from "./backends/webgpu/gpu-tensor.ts";
// the matmul capability's helpers (a backend's matmul checks its job with checkMatmulJob)
export { matmulerOf } from "./backends/backend.ts";
export {
  checkMatmulJob, matricesOverlap, matrixOf, MATMUL_DTYPES, type CheckedMatmul, type MatmulDType, type MatrixLayout,
} from "./backends/matmul.ts";
export { sharedSource, tensorUsage, writeBytes } from "./backends/webgpu/gpu-buffers.ts";
export { mulberry32 } from "./core/random.ts";
