/**
 * What a JS value must be to bind to each base type of a schema (docs/schema.md has the table),
 * and which types have no JS representation here.
 */
import { formatSchemaType, kindOfBase, type SchemaType, type TypeKind } from "./schema-type.ts";

/** A check of one value against one base type. */
export type Fits = (value: unknown, isTensor: (value: unknown) => boolean) => boolean;

/** PyTorch's dtype names (torch.float32 ... ), the values a ScalarType binds. */
export const SCALAR_TYPE_NAMES: readonly string[] = Object.freeze([
  "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex32", "complex64", "complex128",
  "bool", "qint8", "quint8", "qint32", "bfloat16", "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8",
  "bits16", "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz", "float8_e4m3fnuz", "uint16", "uint32", "uint64",
]);
/** PyTorch's layouts (torch.strided ...), the values a Layout binds. */
export const LAYOUT_NAMES: readonly string[] = Object.freeze([
  "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged",
]);
/** PyTorch's memory formats (torch.contiguous_format ...), the values a MemoryFormat binds. */
export const MEMORY_FORMAT_NAMES: readonly string[] = Object.freeze([
  "contiguous_format", "preserve_format", "channels_last", "channels_last_3d",
]);

const oneOf = (names: readonly string[]): Fits => (v) => typeof v === "string" && names.includes(v);
const finite = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);

const FITS: Partial<Record<TypeKind, Fits>> = {
  Tensor: (v, isTensor) => isTensor(v),
  int: (v) => typeof v === "number" && Number.isInteger(v),
  float: finite,
  bool: (v) => typeof v === "boolean",
  str: (v) => typeof v === "string",
  Scalar: (v) => finite(v) || typeof v === "boolean",
  ScalarType: oneOf(SCALAR_TYPE_NAMES),
  Layout: oneOf(LAYOUT_NAMES),
  MemoryFormat: oneOf(MEMORY_FORMAT_NAMES),
  Device: (v) => typeof v === "string" && v !== "",
  None: (v) => v === null,
  Any: (v) => v !== undefined,
};

/** The check for a base type name, or undefined when the type has no JS representation. */
export function bindsTo(name: string): Fits | undefined {
  return FITS[kindOfBase(name)];
}

/** Names the part of `t` that cannot be bound: "Generator", "custom class ...", "type variable t", "Dict(str, t)". */
export function unbindable(t: SchemaType): string {
  if (t.tag !== "base") return `type ${formatSchemaType(t)}`;
  const kind = kindOfBase(t.name);
  if (kind === "class") return `custom class ${t.name}`;
  if (kind === "var") return `type variable ${t.name}`;
  return `type ${t.name}`;
}
