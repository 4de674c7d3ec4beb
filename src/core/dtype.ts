import { SymmetricMemoryError } from "./errors.ts";

/** Element types of tensors. Names follow PyTorch's (`torch.float32` is `"float32"`). */
export type DType = "float32" | "float16" | "bfloat16" | "int32" | "uint32" | "uint8";

/**
 * The typed array that holds elements of `D`: Float32Array, Int32Array, Uint32Array, Uint8Array,
 * and Uint16Array of raw bits for float16 and bfloat16.
 */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "int32"
    ? Int32Array
    : D extends "uint32"
      ? Uint32Array
      : D extends "uint8"
        ? Uint8Array
        : Uint16Array;

/** Any typed array a tensor's elements come in (`TypedArrayFor` of some dtype). */
export type AnyTypedArray = Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

interface DTypeInfo {
  readonly code: number;
  readonly itemsize: number;
  readonly view: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { code: 1, itemsize: 4, view: Float32Array },
  float16: { code: 2, itemsize: 2, view: Uint16Array },
  bfloat16: { code: 3, itemsize: 2, view: Uint16Array },
  int32: { code: 4, itemsize: 4, view: Int32Array },
  uint32: { code: 5, itemsize: 4, view: Uint32Array },
  uint8: { code: 6, itemsize: 1, view: Uint8Array },
};

const ALIASES: Record<string, DType> = {
  f32: "float32", float: "float32", f16: "float16", half: "float16", bf16: "bfloat16",
  i32: "int32", int: "int32", u32: "uint32", u8: "uint8",
};

/** Every DType, in a fixed order: float32, float16, bfloat16, int32, uint32, uint8. */
export const DTYPES = Object.keys(INFO) as DType[];

/** Accepts the canonical names and the short ones (`f32`, `bf16`, `i32`, ...). */
export function normalizeDType(name: string): DType {
  if (name in INFO) return name as DType;
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  throw new SymmetricMemoryError(
    `unknown dtype "${name}": expected one of ${DTYPES.join(", ")} (or f32, f16, bf16, i32, u32, u8)`,
  );
}

/** Bytes per element of `dtype`: 4 (float32, int32, uint32), 2 (float16, bfloat16) or 1 (uint8). */
export function itemsize(dtype: DType): number {
  return INFO[dtype].itemsize;
}

export function dtypeCode(dtype: DType): number {
  return INFO[dtype].code;
}

export function dtypeFromCode(code: number): DType | undefined {
  return DTYPES.find((d) => INFO[d].code === code);
}

export function typedView<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArrayFor<D> {
  return new INFO[dtype].view(buffer, byteOffset, length) as TypedArrayFor<D>;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) {
    throw new SymmetricMemoryError(`${what}: shape must be an array of sizes, found ${typeof shape}`);
  }
  if (shape.length > 8) {
    throw new SymmetricMemoryError(`${what}: at most 8 dimensions are supported, found ${shape.length}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new SymmetricMemoryError(
        `${what}: every size must be a non-negative integer, found [${shape.join(", ")}]`,
      );
    }
  }
}
