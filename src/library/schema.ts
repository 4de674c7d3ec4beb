/**
 * Operator schemas in PyTorch's function-schema syntax, as data. `parseSchema` builds them;
 * `toString` prints them as written (types, alias annotations and defaults keep their spelling;
 * only whitespace and redundant parentheses are normalised), which parses back to an equal schema.
 */
import { formatType, typeTree, type ArgType } from "./arg-type.ts";
import { aliasSets, aliasesIn, freezeAlias, freezeSchemaType, type AliasInfo, type TypeKind } from "./schema-type.ts";

export type { ArgType } from "./arg-type.ts";
export { formatType } from "./arg-type.ts";
export type {
  AliasInfo, SchemaAppliedType, SchemaBaseType, SchemaListType, SchemaOptionalType, SchemaTupleType, SchemaType, TypeConstructor, TypeKind,
} from "./schema-type.ts";

/** A complex default (`complex c=2j`): PyTorch's literals are imaginary, so `re` is 0 when parsed. */
export interface ComplexValue {
  /** The real part. */
  readonly re: number;
  /** The imaginary part. */
  readonly im: number;
}

/**
 * A parsed default: `None` is null; `ScalarType`, `Layout` and `MemoryFormat` defaults are their
 * names as strings (`float` is "float32", `long` "int64", `contiguous_format` itself); `Mean` on
 * an int is 1 (at::Reduction::Mean), as PyTorch reads it.
 */
export type DefaultScalar = null | boolean | number | string | ComplexValue;
/** A parsed default: a scalar, or a list of scalars for a list type (`int[] x=[1, 2]`; `int[2] x=1` is `[1, 1]`). */
export type DefaultValue = DefaultScalar | readonly DefaultScalar[];

/** One argument of a schema: `Tensor(a!) out`, `str reduce_op='sum'`. */
export interface Argument {
  /** The argument's name, by which it may also be passed. */
  readonly name: string;
  /** Its type. */
  readonly type: ArgType;
  /** Its alias annotation (`(a)`, `(a!)`), or its elements' for `Tensor(a!)[]`, if any. */
  readonly alias?: AliasInfo;
  /** The annotation written after a list's `[]` (`t[](a!)`), if any. */
  readonly listAlias?: AliasInfo;
  /** True when the schema gives a default (`=...`): the argument may then be left out. */
  readonly hasDefault: boolean;
  /** Only meaningful when `hasDefault`; `undefined` otherwise. */
  readonly default?: DefaultValue;
  /** The default as written, when that is not how `default` prints (`1e-05`, `"valid"`, `Mean`). */
  readonly defaultText?: string;
  /** Declared after `*`: may only be passed by name. */
  readonly kwargOnly: boolean;
}

/** One return of a schema: `Tensor(a!)`, or a named one in a tuple, `(Tensor values, Tensor indices)`. */
export interface Return {
  /** Its type. */
  readonly type: ArgType;
  /** Its alias annotation, if any: the return is the argument in the same alias set (`returnAliases`). */
  readonly alias?: AliasInfo;
  /** The annotation written after a list's `[]`, if any. */
  readonly listAlias?: AliasInfo;
  /** The return's name, when the schema gives one. */
  readonly name?: string;
}

/** The fields an OpSchema is made of: what `new OpSchema(parts)` takes. */
export interface OpSchemaParts {
  /** `ns` of `ns::name`; absent for a schema written without one. */
  readonly namespace?: string;
  /** The operator name, without namespace or overload. */
  readonly name: string;
  /** "" when the schema names no overload (PyTorch's "default" overload). */
  readonly overload: string;
  /** The arguments, in schema order. */
  readonly args: readonly Argument[];
  /** The returns, in order; empty for `-> ()`. */
  readonly returns: readonly Return[];
  /** The argument list ends with `...` (more arguments of any type may follow). */
  readonly isVararg?: boolean;
  /** The return list is or ends with `...`. */
  readonly isVarret?: boolean;
}

/**
 * A parsed, frozen operator schema. The constructor freezes copies of the parts' arguments and
 * returns and derives the rest; it checks nothing (`parseSchema` does).
 */
export class OpSchema implements OpSchemaParts {
  /** `ns` of `ns::name`; absent for a schema written without one. */
  readonly namespace?: string;
  /** The operator name, without namespace or overload. */
  readonly name: string;
  /** "" when the schema names no overload (PyTorch's "default" overload). */
  readonly overload: string;
  /** The arguments, in schema order. */
  readonly args: readonly Argument[];
  /** The returns, in order; empty for `-> ()`. */
  readonly returns: readonly Return[];
  /** The argument list ends with `...`. */
  readonly isVararg: boolean;
  /** The return list is or ends with `...`. */
  readonly isVarret: boolean;
  /** `ns::name` or `ns::name.overload`; without a namespace, `name[.overload]`. */
  readonly qualifiedName: string;
  /** Names of the arguments with a write alias anywhere in their type (`Tensor(a!)`, `Tensor(a!)[]`), in schema order. */
  readonly mutatedArgs: readonly string[];
  /** True when some argument has a write alias (`mutatedArgs` is not empty). */
  readonly isMutable: boolean;

  constructor(parts: OpSchemaParts) {
    if (parts.namespace !== undefined) this.namespace = parts.namespace;
    this.name = parts.name;
    this.overload = parts.overload;
    this.args = Object.freeze(parts.args.map(freezeArgument));
    this.returns = Object.freeze(parts.returns.map(freezeReturn));
    this.isVararg = parts.isVararg === true;
    this.isVarret = parts.isVarret === true;
    const base = parts.namespace === undefined ? parts.name : `${parts.namespace}::${parts.name}`;
    this.qualifiedName = parts.overload === "" ? base : `${base}.${parts.overload}`;
    this.mutatedArgs = Object.freeze(this.args.filter((a) => annotations(a).some((x) => x.isWrite)).map((a) => a.name));
    this.isMutable = this.mutatedArgs.length > 0;
    Object.freeze(this);
  }

  /** The same schema placed in `namespace` (used when a Library defines an unqualified schema). */
  withNamespace(namespace: string): OpSchema {
    return new OpSchema({ ...this, namespace });
  }

  /**
   * For each return, the name of the first argument sharing one of its alias sets, if any. The
   * wildcard `*` and fresh sets (`Tensor!`) name no argument.
   */
  returnAliases(): Array<string | undefined> {
    return this.returns.map((r) => {
      const own = annotations(r).filter((x) => x.fresh !== true).flatMap(aliasSets).filter((s) => s !== "*");
      if (own.length === 0) return undefined;
      return this.args.find((a) => annotations(a).some((x) => aliasSets(x).some((s) => own.includes(s))))?.name;
    });
  }

  /** The schema text (`ns::name.overload(args) -> returns`), types and defaults as written; it parses back to an equal schema. */
  toString(): string {
    const parts: string[] = [];
    let inKwargs = false;
    for (const a of this.args) {
      if (a.kwargOnly && !inKwargs) {
        parts.push("*");
        inKwargs = true;
      }
      const dflt = a.hasDefault ? `=${a.defaultText ?? formatDefault(a.default ?? null, a.type.kind)}` : "";
      parts.push(`${formatType(a.type, a.alias, a.listAlias)} ${a.name}${dflt}`);
    }
    if (this.isVararg) parts.push("...");
    return `${this.qualifiedName}(${parts.join(", ")}) -> ${formatReturns(this.returns, this.isVarret)}`;
  }
}

/** Every alias annotation in an argument's or return's type. */
function annotations(x: Argument | Return): AliasInfo[] {
  return aliasesIn(typeTree(x.type, x.alias, x.listAlias));
}

function formatReturns(returns: readonly Return[], varret: boolean): string {
  const one = returns[0];
  if (returns.length === 0 && varret) return "...";
  if (returns.length === 1 && !varret && one !== undefined && one.name === undefined && one.type.compound?.tag !== "tuple") {
    return formatType(one.type, one.alias, one.listAlias);
  }
  const items = returns.map((r) => formatType(r.type, r.alias, r.listAlias) + (r.name === undefined ? "" : ` ${r.name}`));
  if (varret) items.push("...");
  return `(${items.join(", ")})`;
}

/** Enum defaults that print as PyTorch's identifiers (`ScalarType dtype=float`). */
const ENUM_IDENTIFIERS: Readonly<Record<string, string>> = {
  float32: "float",
  int64: "long",
  complex64: "complex",
  strided: "strided",
  contiguous_format: "contiguous_format",
};

/** How a default value prints when the schema gives no text for it: PyTorch's spelling of the value. */
export function formatDefault(value: DefaultValue, kind: TypeKind): string {
  if (Array.isArray(value)) return `[${value.map((v) => formatScalar(v, kind)).join(", ")}]`;
  return formatScalar(value as DefaultScalar, kind);
}

function formatScalar(value: DefaultScalar, kind: TypeKind): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") {
    const enumKind = kind === "ScalarType" || kind === "Layout" || kind === "MemoryFormat";
    return enumKind && Object.hasOwn(ENUM_IDENTIFIERS, value) ? (ENUM_IDENTIFIERS[value] as string) : quote(value);
  }
  if (typeof value === "object") return `${formatNumber(value.im, false)}j`;
  return formatNumber(value, kind === "float");
}

function formatNumber(value: number, float: boolean): string {
  // Float defaults print as floats ("1.0"), the way PyTorch writes them.
  if (float && Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
  return String(value);
}

function quote(text: string): string {
  const escaped = text.replace(/[\\'\n\r\t]/g, (c) => ESCAPES[c] ?? c);
  return `'${escaped}'`;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function freezeType(t: ArgType): ArgType {
  return Object.freeze({ ...t, ...(t.compound === undefined ? {} : { compound: freezeSchemaType(t.compound) }) });
}

function freezeAliases<T extends Argument | Return>(x: T): Partial<T> {
  return {
    ...(x.alias === undefined ? {} : { alias: freezeAlias(x.alias) }),
    ...(x.listAlias === undefined ? {} : { listAlias: freezeAlias(x.listAlias) }),
  } as Partial<T>;
}

function freezeArgument(a: Argument): Argument {
  const d = a.default;
  return Object.freeze({
    ...a,
    type: freezeType(a.type),
    ...freezeAliases(a),
    ...(Array.isArray(d) ? { default: Object.freeze(d.map(freezeScalar)) } : d !== undefined ? { default: freezeScalar(d as DefaultScalar) } : {}),
  });
}

function freezeScalar(v: DefaultScalar): DefaultScalar {
  return typeof v === "object" && v !== null ? Object.freeze({ ...v }) : v;
}

function freezeReturn(r: Return): Return {
  return Object.freeze({ ...r, type: freezeType(r.type), ...freezeAliases(r) });
}
