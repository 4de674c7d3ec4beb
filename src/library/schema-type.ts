/**
 * Types of PyTorch's function-schema grammar as a tree (`SchemaType`), the built-in type names
 * with the binding kind each maps to, alias annotations, and printing of both as written.
 * After torch/csrc/jit/frontend/schema_type_parser.cpp (parseBaseType, parseAliasAnnotation,
 * parseFakeAndRealType) and function_schema_parser.cpp (fixed-size lists `int[2]`).
 */

/**
 * What a value of a type is bound as (see bind.ts and docs/schema.md). The written name may
 * differ: `SymInt`, `DeviceIndex` and `ConstQuantizerPtr` bind as "int", `SymFloat` as "float",
 * `SymBool` as "bool", `Dimname` as "str" (as PyTorch maps them), `NoneType` as "None".
 * "class" is a custom class (`__torch__.torch.classes.ns.Name`), "var" a type variable (`t`),
 * "Compound" any type that is not a base type, a list of one, or an optional of those
 * (nested lists, tuples, Dict, Union, Future, Await, RRef): its shape is in `ArgType.compound`.
 */
export type TypeKind =
  | "Tensor"
  | "int"
  | "float"
  | "bool"
  | "str"
  | "Scalar"
  | "complex"
  | "ScalarType"
  | "Layout"
  | "MemoryFormat"
  | "Device"
  | "Generator"
  | "Storage"
  | "Stream"
  | "QScheme"
  | "Quantizer"
  | "Capsule"
  | "Any"
  | "AnyClassType"
  | "AnyEnumType"
  | "PyObject"
  | "None"
  | "class"
  | "var"
  | "Compound";

/**
 * Every base type name PyTorch's schema type parser knows (its `type_map`), with the kind it is
 * bound as. `Tensor` is parsed on its own path in PyTorch but is listed here too.
 * @internal
 */
export const BASE_TYPES: Readonly<Record<string, TypeKind>> = Object.freeze({
  Tensor: "Tensor",
  Generator: "Generator",
  Dimname: "str",
  ScalarType: "ScalarType",
  Layout: "Layout",
  MemoryFormat: "MemoryFormat",
  Storage: "Storage",
  QScheme: "QScheme",
  Quantizer: "Quantizer",
  ConstQuantizerPtr: "int",
  Device: "Device",
  DeviceIndex: "int",
  Stream: "Stream",
  Scalar: "Scalar",
  str: "str",
  float: "float",
  SymFloat: "float",
  complex: "complex",
  int: "int",
  SymInt: "int",
  bool: "bool",
  SymBool: "bool",
  None: "None",
  NoneType: "None",
  Capsule: "Capsule",
  Any: "Any",
  AnyClassType: "AnyClassType",
  AnyEnumType: "AnyEnumType",
  PyObject: "PyObject",
});

/** The prefix of a custom class type: `__torch__.torch.classes.ns.Name`. */
export const CLASS_PREFIX = "__torch__.torch.classes.";

/** The type constructors written `Name(T, ...)`: `Dict(str, Tensor)`, `Union(int, str)`, `Future(t)`. */
export type TypeConstructor = "Dict" | "Union" | "Future" | "Await" | "RRef";

/**
 * An alias annotation. `Tensor(a!)` is `{ set: "a", isWrite: true }`; the other fields appear
 * only when written: `Tensor(a|b)` has `sets: ["a", "b"]`, `Tensor(a -> *)` has `after: ["*"]`,
 * `Tensor!` (a fresh set) has `fresh: true` and a set named `$0`, `$1`, ... in schema order.
 * The wildcard set is `"*"`.
 */
export interface AliasInfo {
  /** The (first) alias set's name, `a` in `Tensor(a!)`; `"*"` for the wildcard. */
  readonly set: string;
  /** Declared with `!`: the op writes to the value. */
  readonly isWrite: boolean;
  /** Every set before `->`, when more than one is written (`a|b`). */
  readonly sets?: readonly string[];
  /** The sets after `->` (`Tensor(a -> *)`), when an arrow is written. */
  readonly after?: readonly string[];
  /** Written as the shorthand `Tensor!`: a fresh write set. */
  readonly fresh?: true;
}

/**
 * A type as written. A `base` is a built-in name, a custom class or a type variable; `list` is
 * `T[]` or, with `size`, `T[N]`; `optional` is `T?`; `tuple` is `(T, U)`; `apply` a type
 * constructor. Alias annotations sit where they are written: on a base (`Tensor(a!)`), on a
 * list (`t[](a!)`), on a Dict or Union.
 */
export type SchemaType = SchemaBaseType | SchemaListType | SchemaOptionalType | SchemaTupleType | SchemaAppliedType;

/** A base type: a built-in name (`Tensor`, `SymInt`, ...), a custom class or a type variable. */
export interface SchemaBaseType {
  /** Discriminant. */
  readonly tag: "base";
  /** The name as written: `Tensor`, `__torch__.torch.classes.ns.Name`, `t`. */
  readonly name: string;
  /** `(a!)` after the name, if written. */
  readonly alias?: AliasInfo;
}

/** `T[]`, or `T[N]` with `size` (written only on an argument or return, as in PyTorch). */
export interface SchemaListType {
  /** Discriminant. */
  readonly tag: "list";
  /** The element type. */
  readonly element: SchemaType;
  /** N of `T[N]`. */
  readonly size?: number;
  /** The annotation after `[]` (`t[](a!)`), if written. */
  readonly alias?: AliasInfo;
}

/** `T?`. */
export interface SchemaOptionalType {
  /** Discriminant. */
  readonly tag: "optional";
  /** The type made optional. */
  readonly inner: SchemaType;
}

/** `(T, U)`. */
export interface SchemaTupleType {
  /** Discriminant. */
  readonly tag: "tuple";
  /** The element types, in order. */
  readonly items: readonly SchemaType[];
}

/** `Dict(K, V)`, `Union(T, ...)`, `Future(T)`, `Await(T)`, `RRef(T)`. */
export interface SchemaAppliedType {
  /** Discriminant. */
  readonly tag: "apply";
  /** The constructor. */
  readonly name: TypeConstructor;
  /** Its type arguments. */
  readonly items: readonly SchemaType[];
  /** The annotation after `)` (Dict and Union only), if written. */
  readonly alias?: AliasInfo;
}

/** The binding kind of a base type name: a built-in, a custom class or a type variable. */
export function kindOfBase(name: string): TypeKind {
  if (Object.hasOwn(BASE_TYPES, name)) return BASE_TYPES[name] as TypeKind;
  return name.startsWith(CLASS_PREFIX) ? "class" : "var";
}

/** All sets before `->`: `sets` when written, else `[set]`. */
export function aliasSets(alias: AliasInfo): readonly string[] {
  return alias.sets ?? [alias.set];
}

/** `(a)`, `(a!)`, `(a|b)`, `(a -> *)`, `(a! -> a|b)`, or `!` for a fresh set. */
export function formatAlias(alias: AliasInfo | undefined): string {
  if (alias === undefined) return "";
  if (alias.fresh === true) return "!";
  const before = aliasSets(alias).join("|");
  const after = alias.after === undefined ? "" : ` -> ${alias.after.join("|")}`;
  return `(${before}${alias.isWrite ? "!" : ""}${after})`;
}

/** The type as written (alias annotations included), e.g. `Tensor(a!)[]?`, `Dict(str, t)`, `int[2]`. */
export function formatSchemaType(t: SchemaType): string {
  switch (t.tag) {
    case "base":
      return t.name + formatAlias(t.alias);
    case "list":
      return `${formatSchemaType(t.element)}[${t.size ?? ""}]${formatAlias(t.alias)}`;
    case "optional":
      return `${formatSchemaType(t.inner)}?`;
    case "tuple":
      return `(${t.items.map(formatSchemaType).join(", ")})`;
    case "apply":
      return `${t.name}(${t.items.map(formatSchemaType).join(", ")})${formatAlias(t.alias)}`;
  }
}

/** Every alias annotation in the type, outermost first. */
export function aliasesIn(t: SchemaType): AliasInfo[] {
  switch (t.tag) {
    case "base":
      return t.alias === undefined ? [] : [t.alias];
    case "list":
      return [...(t.alias === undefined ? [] : [t.alias]), ...aliasesIn(t.element)];
    case "optional":
      return aliasesIn(t.inner);
    case "tuple":
      return t.items.flatMap(aliasesIn);
    case "apply":
      return [...(t.alias === undefined ? [] : [t.alias]), ...t.items.flatMap(aliasesIn)];
  }
}

/** Deep-frozen copy of a type tree. */
export function freezeSchemaType(t: SchemaType): SchemaType {
  const alias = "alias" in t && t.alias !== undefined ? { alias: freezeAlias(t.alias) } : {};
  switch (t.tag) {
    case "base":
      return Object.freeze({ ...t, ...alias });
    case "list":
      return Object.freeze({ ...t, element: freezeSchemaType(t.element), ...alias });
    case "optional":
      return Object.freeze({ ...t, inner: freezeSchemaType(t.inner) });
    case "tuple":
      return Object.freeze({ ...t, items: Object.freeze(t.items.map(freezeSchemaType)) });
    case "apply":
      return Object.freeze({ ...t, items: Object.freeze(t.items.map(freezeSchemaType)), ...alias });
  }
}

/** Frozen copy of an alias annotation (its set lists too). */
export function freezeAlias(a: AliasInfo): AliasInfo {
  return Object.freeze({
    ...a,
    ...(a.sets === undefined ? {} : { sets: Object.freeze([...a.sets]) }),
    ...(a.after === undefined ? {} : { after: Object.freeze([...a.after]) }),
  });
}
