/**
 * The backend contract (docs/backend-plugins.md) and the registry of backends by name. A kernel
 * needs nothing from a backend beyond this interface, so a plugin (a CUDA backend, a planner's
 * meta backend, a remote transport) runs the built-in kernels by registering itself and them.
 */
import { OpError } from "../core/errors.ts";
import type { AnyTypedArray, DType } from "../core/dtype.ts";
import type { Reducer } from "../core/reducer.ts";
import type { RegularTensor, TensorData } from "../core/tensor.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { RankContext } from "./rank-context.ts";
import type { TensorEndpoint } from "./endpoint.ts";
import type { Matmuler } from "./matmul.ts";

export type { RegularTensor, TensorData } from "../core/tensor.ts";
export type { MatmulJob, Matmuler, MatrixRef } from "./matmul.ts";

/** Any tensor an op takes: a backend's regular tensor or a symmetric one (tell them apart by `kind`). */
export type Tensor = RegularTensor | SymmetricTensor;

/**
 * What a backend provides. Kernels are not part of it: they are registered per op with
 * `lib.impl(name, kernel, backend.name)`; the built-in ones are written against this interface.
 */
export interface Backend<T extends RegularTensor = RegularTensor> {
  /** Dispatch key, as in `lib.impl(name, fn, "webgpu")`. */
  readonly name: string;
  /** True for tensors this backend made. */
  isTensor(value: unknown): value is T;
  /** A new tensor on `rank`: zeros, or a copy of `data` (element values of `dtype`; raw bits for f16/bf16). */
  createTensor(rank: RankContext, shape: readonly number[], dtype: DType, data?: TensorData): T;
  /** Copies `src` into the heap region of `dst` (same byte size). */
  toHeap(rank: RankContext, src: T, dst: SymmetricTensor): Promise<void>;
  /** Copies the heap region of `src` into `dst` (same byte size). */
  fromHeap(rank: RankContext, src: SymmetricTensor, dst: T): Promise<void>;
  /** Copies `src` into `dst` (same byte size) in the backend's own memory, in queue order. */
  copy(rank: RankContext, src: T, dst: T): void;
  /** A host copy of the tensor's elements. */
  read(rank: RankContext, tensor: T): Promise<AnyTypedArray>;
  /**
   * Writes `count` copies of the 32-bit word `value` from word `offset`, ordered after the work
   * already queued on the tensor (stream_write_value32_, memset32_).
   */
  fill32(rank: RankContext, tensor: T, offset: number, value: number, count: number): void;
  /** How a staged pipeline reads chunks of the tensor into the heap and writes slices back. */
  endpoint(rank: RankContext, tensor: T): TensorEndpoint;
  /** Releases the tensor's memory; it must not be used after. */
  dispose(rank: RankContext, tensor: T): void;
  /** How this backend reduces heap data (the collectives are written once over it). */
  reducer(rank: RankContext): Reducer;
  /**
   * How this backend multiplies matrices (webshmem::mm, the fused ops), on its tensors and on
   * heap tensors. Optional: a backend without it still registers, and an op that needs it fails
   * with an OpError naming the backend (`matmulerOf`).
   */
  matmul?(rank: RankContext): Matmuler;
  /** Frees what the backend keeps for this rank (pools, caches), before the rank ends. */
  shutdown?(rank: RankContext): void;
}

const backends = new Map<string, Backend>();
/** Bumped by every registration and removal, so a cached backend choice can tell it is stale. */
let generation = 0;

/** How many times the backend registry changed (the dispatcher's call memo compares it). @internal */
export function backendsGeneration(): number {
  return generation;
}

/** Adds a backend (a plugin from another package uses this too); the name must be new. */
export function registerBackend(backend: Backend): void {
  if (backends.has(backend.name)) {
    throw new OpError(`registerBackend: a backend named "${backend.name}" is already registered`);
  }
  backends.set(backend.name, backend as Backend);
  generation++;
}

/** Removes the backend named `name`, if there is one; its tensors are left as they are. */
export function unregisterBackend(name: string): void {
  if (backends.delete(name)) generation++;
}

/** The backend named `name`; throws an OpError listing the registered ones when there is none. */
export function getBackend(name: string): Backend {
  const b = backends.get(name);
  if (b === undefined) {
    throw new OpError(`no backend named "${name}": registered backends are ${[...backends.keys()].join(", ") || "none"}`);
  }
  return b;
}

/** Names of the registered backends, in registration order. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend that owns `value`, if any registered backend claims it. */
export function backendOf(value: unknown): Backend | undefined {
  for (const b of backends.values()) if (b.isTensor(value)) return b;
  return undefined;
}

/**
 * The backend's Matmuler for `rank`; an OpError naming `op` and the backend when the backend has
 * no matmul capability (a plugin that leaves `matmul` out).
 */
export function matmulerOf(backend: Backend, rank: RankContext, op: string): Matmuler {
  if (backend.matmul === undefined) {
    throw new OpError(`${op}: backend "${backend.name}" has no matmul capability (Backend.matmul) on rank ${rank.rank}; ` +
      `expected a backend that implements it, such as "cpu" or "webgpu"`);
  }
  return backend.matmul(rank);
}
