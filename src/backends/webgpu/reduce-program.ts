/**
 * The reduction as a GPU program: `sources` blocks of a packed source buffer, block r at element
 * `r * srcStride`, reduced element-wise in block order into dst. A vec4 body (4 elements per
 * invocation) and a scalar tail: two calls of the runner in one pass; no submit, no readback.
 */
import { type CollectiveDType, type ReduceOp, requireReducible } from "../../core/reduce-op.ts";
import { OpError } from "../../core/errors.ts";
import type { GpuProgram, ProgramCall } from "./program.ts";
import { resourcesOf } from "./device-resources.ts";
import { foldDispatch } from "./wgsl/dispatch-fold.ts";
import { itemsize } from "../../core/dtype.ts";
import { unitLayout } from "./wgsl/dtype-layout.ts";
import { reduceShaderSource } from "./wgsl/reduce-shader.ts";

/**
 * Source blocks start a multiple of this many elements apart: 128 elements is 256 bytes for
 * f16/bf16, so every block may also be bound on its own (minStorageBufferOffsetAlignment), and
 * vec4 units never straddle blocks whatever the dtype.
 */
export const SRC_STRIDE_ALIGN = 128;
export const DEFAULT_WORKGROUP_SIZE = 64;
/** Params in shaders/reduce.wgsl: units, unit_offset, src_stride, sources, row_pitch. */
const PARAMS_WORDS = 5;

/** The smallest valid srcStride for blocks of `count` elements. */
export function srcStrideFor(count: number): number {
  return Math.ceil(count / SRC_STRIDE_ALIGN) * SRC_STRIDE_ALIGN;
}

export interface ReduceEncodeOptions {
  readonly src: GPUBuffer;
  /** Multiple of minStorageBufferOffsetAlignment (256). */
  readonly srcOffsetBytes?: number;
  /** Elements from one source block to the next: a multiple of 128, at least `count`. */
  readonly srcStride: number;
  readonly sources: number;
  /** Not `src`: WebGPU forbids one buffer as read and read_write storage in one dispatch. */
  readonly dst: GPUBuffer;
  /** Multiple of minStorageBufferOffsetAlignment (256). */
  readonly dstOffsetBytes?: number;
  readonly count: number;
  readonly dtype: CollectiveDType;
  readonly op: ReduceOp;
  readonly workgroupSize?: number;
  /** Tests only: a smaller maxComputeWorkgroupsPerDimension, to exercise 2-D folding. */
  readonly maxGroupsPerDim?: number;
}

/** What encodeReduce recorded. Call release() after the encoder's command buffer is submitted. */
export interface EncodedReduce {
  readonly dispatches: number;
  /** Destroys the per-call params buffer (safe right after queue.submit). */
  release(): void;
}

/** One dispatch of the plan: `units` units from `unitOffset`, folded into x × y workgroups. */
export interface ReducePass {
  readonly vec4: boolean;
  readonly units: number;
  readonly unitOffset: number;
  readonly srcStrideUnits: number;
  readonly x: number;
  readonly y: number;
  readonly rowPitch: number;
}

/** The dispatches for `count` elements: the vec4 body over floor(count/4)*4, the scalar tail. */
export function planReduce(
  dtype: CollectiveDType,
  count: number,
  srcStride: number,
  workgroupSize: number,
  maxGroupsPerDim: number,
): ReducePass[] {
  const passes: ReducePass[] = [];
  const body = Math.floor(count / 4) * 4;
  for (const [vec4, from, to] of [[true, 0, body], [false, body, count]] as const) {
    if (to === from) continue;
    const per = unitLayout(dtype, vec4).elements;
    // bf16's scalar unit is a word of 2: an odd count writes the padding half of dst's last word.
    const units = Math.ceil((to - from) / per);
    const fold = foldDispatch(units, workgroupSize, maxGroupsPerDim);
    passes.push({ vec4, units, unitOffset: from / per, srcStrideUnits: srcStride / per, ...fold });
  }
  return passes;
}

/** The reduce program for one (dtype, op, body or tail, workgroup size). */
export function reduceProgram(dtype: CollectiveDType, op: ReduceOp, vec4: boolean, workgroupSize = DEFAULT_WORKGROUP_SIZE): GpuProgram {
  return {
    key: `reduce/${dtype}/${op}/wg${workgroupSize}/${vec4 ? "vec4" : "scalar"}`,
    source: () => reduceShaderSource({ dtype, op, vec4, workgroupSize }),
    storage: ["read", "read_write"],
    paramsWords: PARAMS_WORDS,
    workgroupSize,
    features: dtype === "float16" ? { "shader-f16": "float16" } : {},
  };
}

/** Throws the OpError that explains a reduction the device cannot run, before any pipeline is made. */
export function requireReduceSupport(device: GPUDevice, dtype: CollectiveDType, op: ReduceOp): void {
  requireReducible("reduce", op, dtype);
  resourcesOf(device).runner.requireFeatures(reduceProgram(dtype, op, true));
}

/**
 * Compiles (and caches) both variants of a reduction; rejects with an OpError carrying the WGSL
 * compiler's messages. Await it once before encoding, so encodeReduce only hits the cache.
 */
export async function prepareReduce(
  device: GPUDevice,
  o: { dtype: CollectiveDType; op: ReduceOp; workgroupSize?: number },
): Promise<void> {
  requireReduceSupport(device, o.dtype, o.op);
  const wg = o.workgroupSize ?? DEFAULT_WORKGROUP_SIZE;
  await resourcesOf(device).runner.prepare([true, false].map((vec4) => reduceProgram(o.dtype, o.op, vec4, wg)));
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new OpError(`encodeReduce: ${what}`);
}

const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The runner's calls for one reduction (validated against the device's limits). */
export function reduceCalls(device: GPUDevice, o: ReduceEncodeOptions): ProgramCall[] {
  const srcOffset = o.srcOffsetBytes ?? 0;
  const dstOffset = o.dstOffsetBytes ?? 0;
  const wg = o.workgroupSize ?? DEFAULT_WORKGROUP_SIZE;
  const align = device.limits.minStorageBufferOffsetAlignment;
  check(Number.isInteger(o.count) && o.count >= 0, `count must be a non-negative integer, found ${o.count}`);
  check(Number.isInteger(o.sources) && o.sources >= 1, `sources must be a positive integer, found ${o.sources}`);
  check(Number.isInteger(o.srcStride) && o.srcStride >= 0 && o.srcStride % SRC_STRIDE_ALIGN === 0,
    `srcStride must be a multiple of ${SRC_STRIDE_ALIGN} elements (see srcStrideFor), found ${o.srcStride}`);
  check(o.sources === 1 || o.srcStride >= o.count,
    `srcStride ${o.srcStride} is smaller than count ${o.count}: source blocks would overlap`);
  check(srcOffset % align === 0, `srcOffsetBytes must be a multiple of ${align}, found ${srcOffset}`);
  check(dstOffset % align === 0, `dstOffsetBytes must be a multiple of ${align}, found ${dstOffset}`);
  check(o.src !== o.dst, "src and dst must be different buffers (WebGPU forbids read and read_write storage " +
    "bindings of one buffer in one dispatch)");
  requireReduceSupport(device, o.dtype, o.op);
  if (o.count === 0) return [];

  const bpe = itemsize(o.dtype);
  const srcBytes = roundUp4(((o.sources - 1) * o.srcStride + o.count) * bpe);
  const dstBytes = roundUp4(o.count * bpe);
  check(srcOffset + srcBytes <= o.src.size,
    `src needs ${srcOffset + srcBytes} bytes (offset ${srcOffset} + ${o.sources} blocks), its size is ${o.src.size}`);
  check(dstOffset + dstBytes <= o.dst.size,
    `dst needs ${dstOffset + dstBytes} bytes (offset ${dstOffset} + ${o.count} elements rounded up to 4 bytes), its size is ${o.dst.size}`);
  const maxBinding = device.limits.maxStorageBufferBindingSize;
  check(Math.max(srcBytes, dstBytes) <= maxBinding,
    `binding of ${Math.max(srcBytes, dstBytes)} bytes exceeds maxStorageBufferBindingSize ${maxBinding}: chunk the reduction`);

  const passes = planReduce(o.dtype, o.count, o.srcStride, wg, o.maxGroupsPerDim ?? device.limits.maxComputeWorkgroupsPerDimension);
  const bindings: GPUBufferBinding[] = [
    { buffer: o.src, offset: srcOffset, size: srcBytes },
    { buffer: o.dst, offset: dstOffset, size: dstBytes },
  ];
  return passes.map((p) => ({
    program: reduceProgram(o.dtype, o.op, p.vec4, wg),
    bindings,
    invocations: p.units,
    params: (fold) => [p.units, p.unitOffset, p.srcStrideUnits, o.sources, fold.rowPitch],
  }));
}

/** Encodes the reduction into one compute pass of `encoder`. */
export function encodeReduce(device: GPUDevice, encoder: GPUCommandEncoder, o: ReduceEncodeOptions): EncodedReduce {
  const calls = reduceCalls(device, o);
  const encoded = resourcesOf(device).runner.encode(encoder, calls, {
    label: `reduce ${o.dtype} ${o.op}`, maxGroupsPerDim: o.maxGroupsPerDim,
  });
  return { dispatches: encoded.dispatches, release: encoded.release };
}
