import { describeValue } from "./args.ts";
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

// Lookups go through Object.hasOwn: a name like "constructor" or "__proto__" is not a dtype.
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

/** True for a canonical dtype name (not an alias). */
export function isDType(name: unknown): name is DType {
  return typeof name === "string" && Object.hasOwn(INFO, name);
}

/**
 * Accepts the canonical names and the short ones (`f32`, `bf16`, `i32`, ...); anything else (a
 * non-string, an unknown name, an Object.prototype key) is a SymmetricMemoryError, prefixed with
 * `what` (the caller) when given.
 */
export function normalizeDType(name: string, what?: string): DType {
  if (isDType(name)) return name;
  if (typeof name === "string" && Object.hasOwn(ALIASES, name)) return ALIASES[name];
  const found = typeof name === "string" ? `"${name}"` : `(${describeValue(name)})`;
  throw new SymmetricMemoryError(
    `${what === undefined ? "" : `${what}: `}unknown dtype ${found}: expected one of ${DTYPES.join(", ")} ` +
      "(or f32, f16, bf16, i32, u32, u8)",
  );
}

/** The table entry of a dtype (an alias is looked up as its dtype; an unknown name throws). */
function info(dtype: DType): DTypeInfo {
  return INFO[isDType(dtype) ? dtype : normalizeDType(dtype)];
}

/** Bytes per element of `dtype`: 4 (float32, int32, uint32), 2 (float16, bfloat16) or 1 (uint8). */
export function itemsize(dtype: DType): number {
  return info(dtype).itemsize;
}

export function dtypeCode(dtype: DType): number {
  return info(dtype).code;
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
  return new (info(dtype).view)(buffer, byteOffset, length) as TypedArrayFor<D>;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A shape: an array of at most 8 non-negative integer sizes whose product (the element count)
 * is a safe integer. Anything else is a SymmetricMemoryError naming `what`.
 */
export function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) {
    throw new SymmetricMemoryError(`${what}: shape must be an array of sizes, found ${describeValue(shape)}`);
  }
  if (shape.length > 8) {
    throw new SymmetricMemoryError(`${what}: at most 8 dimensions are supported, found ${shape.length}`);
  }
  // Array.from: holes of a sparse array are undefined, so they fail like any non-number.
  const sizes = Array.from(shape as unknown[]);
  for (const d of sizes) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new SymmetricMemoryError(
        `${what}: every size must be a non-negative integer, found [${sizes.map(showSize).join(", ")}]`,
      );
    }
  }
  if (!Number.isSafeInteger(numelOf(shape))) {
    throw new SymmetricMemoryError(
      `${what}: shape [${shape.join(", ")}] has ${numelOf(shape)} elements: expected at most ${Number.MAX_SAFE_INTEGER}`,
    );
  }
}

function showSize(d: unknown): string {
  return typeof d === "number" ? String(d) : typeof d === "string" ? JSON.stringify(d) : describeValue(d);
}
