import { OpError } from "../errors.ts";
import type { AnyTypedArray, DType } from "../heap/dtype.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { Rank } from "../rank/rank.ts";
import type { Reducer } from "../collectives/reducer.ts";

/** A tensor that lives on one backend's memory (not in the symmetric heap). */
export interface RegularTensor {
  readonly kind: "regular";
  /** Name of the backend that owns it: the dispatch key. */
  readonly backend: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly numel: number;
  readonly nbytes: number;
}

export type Tensor = RegularTensor | SymmetricTensor;

/** Host data a tensor can be made from. */
export type TensorData = AnyTypedArray | readonly number[];

/**
 * The contract a backend fulfils (see docs/backend-plugins.md). Kernels are not part of it:
 * they are registered per op with `lib.impl(name, kernel, backend.name)`.
 */
export interface Backend<T extends RegularTensor = RegularTensor> {
  /** Dispatch key, as in `lib.impl(name, fn, "webgpu")`. */
  readonly name: string;
  /** True for tensors this backend made. */
  isTensor(value: unknown): value is T;
  /** A new tensor on `rank`: zeros, or a copy of `data` (element values of `dtype`; raw bits for f16/bf16). */
  createTensor(rank: Rank, shape: readonly number[], dtype: DType, data?: TensorData): T;
  /** Copies `src` into the heap region of `dst` (same byte size). */
  toHeap(rank: Rank, src: T, dst: SymmetricTensor): Promise<void>;
  /** Copies the heap region of `src` into `dst` (same byte size). */
  fromHeap(rank: Rank, src: SymmetricTensor, dst: T): Promise<void>;
  /** Copies `src` into `dst` (same byte size) in the backend's own memory, in queue order. */
  copy(rank: Rank, src: T, dst: T): void;
  /** A host copy of the tensor's elements. */
  read(rank: Rank, tensor: T): Promise<AnyTypedArray>;
  /** Releases the tensor's memory; it must not be used after. */
  dispose(rank: Rank, tensor: T): void;
  /** How this backend reduces heap data (the collectives are written once over it). */
  reducer(rank: Rank): Reducer;
}

const backends = new Map<string, Backend>();

/** Adds a backend (a plugin from another package uses this too); the name must be new. */
export function registerBackend(backend: Backend): void {
  if (backends.has(backend.name)) {
    throw new OpError(`registerBackend: a backend named "${backend.name}" is already registered`);
  }
  backends.set(backend.name, backend as Backend);
}

export function unregisterBackend(name: string): void {
  backends.delete(name);
}

export function getBackend(name: string): Backend {
  const b = backends.get(name);
  if (b === undefined) {
    throw new OpError(`no backend named "${name}": registered backends are ${[...backends.keys()].join(", ")}`);
  }
  return b;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend that owns `value`, if any registered backend claims it. */
export function backendOf(value: unknown): Backend | undefined {
  for (const b of backends.values()) if (b.isTensor(value)) return b;
  return undefined;
}
