/**
 * Operator schemas in PyTorch's function-schema syntax, as data. `parseSchema` builds them;
 * `toString` prints the canonical text, which parses back to an equal schema.
 */

/** The scalar kinds a schema can name. `SymInt` is read as `int`: there is no tracing here. */
export type TypeKind = "Tensor" | "int" | "float" | "bool" | "str" | "Scalar";

/** `int[]?` is `{ kind: "int", list: true, optional: true }`: `?` applies to the whole list. */
export interface ArgType {
  /** The base type (`SymInt` is stored as "int"). */
  readonly kind: TypeKind;
  /** Declared with `?`: the value may be None (null). */
  readonly optional: boolean;
  /** Declared with `[]`: a list of `kind`. */
  readonly list: boolean;
}

/** `Tensor(a!)` is `{ set: "a", isWrite: true }`; values sharing a set may share storage. */
export interface AliasInfo {
  /** The alias set's name, `a` in `Tensor(a!)`. */
  readonly set: string;
  /** Declared with `!`: the op writes to the value. */
  readonly isWrite: boolean;
}

/** A parsed default: `None` is null; lists hold scalars only. */
export type DefaultScalar = null | boolean | number | string;
/** A parsed default: a scalar, or a list of scalars for a list type (`int[] x=[1, 2]`). */
export type DefaultValue = DefaultScalar | readonly DefaultScalar[];

/** One argument of a schema: `Tensor(a!) out`, `str reduce_op='sum'`. */
export interface Argument {
  /** The argument's name, by which it may also be passed. */
  readonly name: string;
  /** Its type. */
  readonly type: ArgType;
  /** Its alias annotation (`(a)`, `(a!)`; Tensor only), if any. */
  readonly alias?: AliasInfo;
  /** True when the schema gives a default (`=...`): the argument may then be left out. */
  readonly hasDefault: boolean;
  /** Only meaningful when `hasDefault`; `undefined` otherwise. */
  readonly default?: DefaultValue;
  /** Declared after `*`: may only be passed by name. */
  readonly kwargOnly: boolean;
}

/** One return of a schema: `Tensor(a!)`, or a named one in a tuple, `(Tensor values, Tensor indices)`. */
export interface Return {
  /** Its type. */
  readonly type: ArgType;
  /** Its alias annotation, if any: the return is the argument in the same alias set (`returnAliases`). */
  readonly alias?: AliasInfo;
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
  /** `ns::name` or `ns::name.overload`; without a namespace, `name[.overload]`. */
  readonly qualifiedName: string;
  /** Names of the arguments with a write alias (`Tensor(a!)`), in schema order. */
  readonly mutatedArgs: readonly string[];
  /** True when some argument has a write alias (`mutatedArgs` is not empty). */
  readonly isMutable: boolean;

  constructor(parts: OpSchemaParts) {
    if (parts.namespace !== undefined) this.namespace = parts.namespace;
    this.name = parts.name;
    this.overload = parts.overload;
    this.args = Object.freeze(parts.args.map(freezeArgument));
    this.returns = Object.freeze(parts.returns.map(freezeReturn));
    const base = parts.namespace === undefined ? parts.name : `${parts.namespace}::${parts.name}`;
    this.qualifiedName = parts.overload === "" ? base : `${base}.${parts.overload}`;
    this.mutatedArgs = Object.freeze(
      this.args.filter((a) => a.alias?.isWrite === true).map((a) => a.name),
    );
    this.isMutable = this.mutatedArgs.length > 0;
    Object.freeze(this);
  }

  /** The same schema placed in `namespace` (used when a Library defines an unqualified schema). */
  withNamespace(namespace: string): OpSchema {
    return new OpSchema({ ...this, namespace });
  }

  /** For each return, the name of the argument sharing its alias set, if any. */
  returnAliases(): Array<string | undefined> {
    return this.returns.map((r) =>
      r.alias === undefined ? undefined : this.args.find((a) => a.alias?.set === r.alias?.set)?.name,
    );
  }

  /** The canonical schema text (`ns::name.overload(args) -> returns`); it parses back to an equal schema. */
  toString(): string {
    const parts: string[] = [];
    let inKwargs = false;
    for (const a of this.args) {
      if (a.kwargOnly && !inKwargs) {
        parts.push("*");
        inKwargs = true;
      }
      const dflt = a.hasDefault ? `=${formatDefault(a.default ?? null, a.type)}` : "";
      parts.push(`${formatType(a.type, a.alias)} ${a.name}${dflt}`);
    }
    return `${this.qualifiedName}(${parts.join(", ")}) -> ${formatReturns(this.returns)}`;
  }
}

/** `Tensor(a!)[]?`: base, alias, list, optional — the one order the parser accepts. */
export function formatType(type: ArgType, alias?: AliasInfo): string {
  const a = alias === undefined ? "" : `(${alias.set}${alias.isWrite ? "!" : ""})`;
  return `${type.kind}${a}${type.list ? "[]" : ""}${type.optional ? "?" : ""}`;
}

function formatReturns(returns: readonly Return[]): string {
  const one = returns[0];
  if (returns.length === 1 && one !== undefined && one.name === undefined) {
    return formatType(one.type, one.alias);
  }
  const items = returns.map((r) => formatType(r.type, r.alias) + (r.name === undefined ? "" : ` ${r.name}`));
  return `(${items.join(", ")})`;
}

function formatDefault(value: DefaultValue, type: ArgType): string {
  if (Array.isArray(value)) return `[${value.map((v) => formatScalar(v, type.kind)).join(", ")}]`;
  return formatScalar(value as DefaultScalar, type.kind);
}

function formatScalar(value: DefaultScalar, kind: TypeKind): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return quote(value);
  // Print float defaults as floats ("1.0"), the way PyTorch writes them.
  if (kind === "float" && Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
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

function freezeArgument(a: Argument): Argument {
  const d = a.default;
  return Object.freeze({
    ...a,
    type: Object.freeze({ ...a.type }),
    ...(a.alias === undefined ? {} : { alias: Object.freeze({ ...a.alias }) }),
    ...(Array.isArray(d) ? { default: Object.freeze([...d]) } : {}),
  });
}

function freezeReturn(r: Return): Return {
  return Object.freeze({
    ...r,
    type: Object.freeze({ ...r.type }),
    ...(r.alias === undefined ? {} : { alias: Object.freeze({ ...r.alias }) }),
  });
}
