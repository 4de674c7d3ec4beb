/**
 * A GPU program is data: what the runner needs to compile, bind and dispatch it. The WGSL comes
 * from the generated shader module (shaders/*.wgsl → wgsl/shaders.generated.ts); the layout is
 * `storage.length` storage buffers at bindings 0.., then one uniform block of `paramsWords` u32
 * words (dynamic offset, so several dispatches of one pass share a bind group and a buffer).
 * New ops add programs (and a function that plans their calls), not submit code.
 */
import type { FoldedDispatch } from "./wgsl/dispatch-fold.ts";

export type StorageAccess = "read" | "read_write";

export interface GpuProgram {
  /** Cache key: two programs with one key must have the same source and layout. */
  readonly key: string;
  /** The WGSL source, built on a cache miss. */
  readonly source: () => string;
  /** Storage bindings 0..n-1, as the WGSL declares them. */
  readonly storage: readonly StorageAccess[];
  /** u32 words of the uniform block at binding `storage.length`. */
  readonly paramsWords: number;
  readonly workgroupSize: number;
  readonly entryPoint?: string;
  /**
   * Device features the WGSL needs, each with what needs it ("float16"); the runner refuses with
   * an OpError ("float16 needs the WebGPU feature ...") when the device lacks one.
   */
  readonly features?: Readonly<Partial<Record<GPUFeatureName, string>>>;
}

/** One dispatch of a program. */
export interface ProgramCall {
  readonly program: GpuProgram;
  /** One per storage binding, in binding order. */
  readonly bindings: readonly GPUBufferBinding[];
  /** Invocations to run; the runner folds them into x × y workgroups. */
  readonly invocations: number;
  /** The uniform words, given the fold (kernels compute their flat index from rowPitch). */
  readonly params: (fold: FoldedDispatch) => ArrayLike<number>;
}
