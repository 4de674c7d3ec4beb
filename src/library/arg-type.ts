/**
 * ArgType: the flat view of a schema type that binding, meta kernels and the dispatcher read
 * (`kind`, `optional`, `list`), with what else was written kept beside it, and the conversions
 * between it and the SchemaType tree (which is what printing and the binder walk).
 */
import {
  aliasesIn,
  formatSchemaType,
  kindOfBase,
  type AliasInfo,
  type SchemaType,
  type TypeKind,
} from "./schema-type.ts";

/**
 * `int[]?` is `{ kind: "int", list: true, optional: true }`: `?` after `[]` applies to the whole
 * list. The other fields appear only when written: `SymInt[2]` adds `name: "SymInt", size: 2`;
 * `Tensor?[]` adds `elementOptional: true`; a type beyond these shapes (`int[][]`, `(int, str)`,
 * `Dict(str, Tensor)`) has kind "Compound", `list: false` and its whole tree in `compound`.
 */
export interface ArgType {
  /** The base type's binding kind (`SymInt` is "int"; see TypeKind). */
  readonly kind: TypeKind;
  /** Declared with `?` (after `[]` for a list): the value may be None (null). */
  readonly optional: boolean;
  /** Declared with `[]` or `[N]`: a list of `kind`. */
  readonly list: boolean;
  /** The base type's name as written, when it is not `kind` itself (`SymInt`, `Dimname`, a class, a type variable). */
  readonly name?: string;
  /** N of a fixed-size list `int[N]`. */
  readonly size?: number;
  /** `Tensor?[]`: each element may be None. */
  readonly elementOptional?: true;
  /** The whole type, for kind "Compound". */
  readonly compound?: SchemaType;
}

/** A type with its alias annotations: on the value or on each element (`alias`), and on the list (`listAlias`). */
export interface FlatType {
  /** The flat type. */
  readonly type: ArgType;
  /** `Tensor(a!)` or the elements' `Tensor(a!)[]`; for a Compound type, its first annotation. */
  readonly alias?: AliasInfo;
  /** The annotation after `[]` (`t[](a!)`); only for a list. */
  readonly listAlias?: AliasInfo;
}

/** The flat view of a type tree. */
export function flattenType(tree: SchemaType): FlatType {
  let t = tree;
  let optional = false;
  if (t.tag === "optional") {
    optional = true;
    t = t.inner;
  }
  if (t.tag === "base") return base(t.name, optional, false, t.alias);
  if (t.tag === "list") {
    let e = t.element;
    let elementOptional = false;
    if (e.tag === "optional") {
      elementOptional = true;
      e = e.inner;
    }
    if (e.tag === "base") {
      const flat = base(e.name, optional, true, e.alias);
      const type: ArgType = {
        ...flat.type,
        ...(t.size === undefined ? {} : { size: t.size }),
        ...(elementOptional ? { elementOptional: true as const } : {}),
      };
      return { ...flat, type, ...(t.alias === undefined ? {} : { listAlias: t.alias }) };
    }
  }
  const first = aliasesIn(tree)[0];
  return { type: { kind: "Compound", optional, list: false, compound: tree }, ...(first === undefined ? {} : { alias: first }) };
}

function base(name: string, optional: boolean, list: boolean, alias: AliasInfo | undefined): FlatType {
  const kind = kindOfBase(name);
  const type: ArgType = { kind, optional, list, ...(name === kind ? {} : { name }) };
  return { type, ...(alias === undefined ? {} : { alias }) };
}

/** The type tree of a flat type (the inverse of flattenType). */
export function typeTree(type: ArgType, alias?: AliasInfo, listAlias?: AliasInfo): SchemaType {
  if (type.compound !== undefined) return type.compound;
  let t: SchemaType = { tag: "base", name: type.name ?? type.kind, ...(alias === undefined ? {} : { alias }) };
  if (type.list) {
    if (type.elementOptional === true) t = { tag: "optional", inner: t };
    t = {
      tag: "list",
      element: t,
      ...(type.size === undefined ? {} : { size: type.size }),
      ...(listAlias === undefined ? {} : { alias: listAlias }),
    };
  }
  return type.optional ? { tag: "optional", inner: t } : t;
}

/** `Tensor(a!)[]?`, `SymInt[2]`, `Tensor?[]`, `Dict(str, t)`: the type as written. */
export function formatType(type: ArgType, alias?: AliasInfo, listAlias?: AliasInfo): string {
  return formatSchemaType(typeTree(type, alias, listAlias));
}
