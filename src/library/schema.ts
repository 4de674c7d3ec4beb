/**
 * Operator schemas in PyTorch's function-schema syntax, as data. `parseSchema` builds them;
 * `toString` prints the canonical text, which parses back to an equal schema.
 */

/** The scalar kinds a schema can name. `SymInt` is read as `int`: there is no tracing here. */
export type TypeKind = "Tensor" | "int" | "float" | "bool" | "str" | "Scalar";

/** `int[]?` is `{ kind: "int", list: true, optional: true }`: `?` applies to the whole list. */
export interface ArgType {
  readonly kind: TypeKind;
  readonly optional: boolean;
  readonly list: boolean;
}

/** `Tensor(a!)` is `{ set: "a", isWrite: true }`; values sharing a set may share storage. */
export interface AliasInfo {
  readonly set: string;
  readonly isWrite: boolean;
}

/** A parsed default: `None` is null; lists hold scalars only. */
export type DefaultScalar = null | boolean | number | string;
export type DefaultValue = DefaultScalar | readonly DefaultScalar[];

export interface Argument {
  readonly name: string;
  readonly type: ArgType;
  readonly alias?: AliasInfo;
  readonly hasDefault: boolean;
  /** Only meaningful when `hasDefault`; `undefined` otherwise. */
  readonly default?: DefaultValue;
  /** Declared after `*`: may only be passed by name. */
  readonly kwargOnly: boolean;
}

export interface Return {
  readonly type: ArgType;
  readonly alias?: AliasInfo;
  readonly name?: string;
}

export interface OpSchemaParts {
  readonly namespace?: string;
  readonly name: string;
  /** "" when the schema names no overload (PyTorch's "default" overload). */
  readonly overload: string;
  readonly args: readonly Argument[];
  readonly returns: readonly Return[];
}

export class OpSchema implements OpSchemaParts {
  readonly namespace?: string;
  readonly name: string;
  readonly overload: string;
  readonly args: readonly Argument[];
  readonly returns: readonly Return[];
  /** `ns::name` or `ns::name.overload`; without a namespace, `name[.overload]`. */
  readonly qualifiedName: string;
  /** Names of the arguments with a write alias (`Tensor(a!)`), in schema order. */
  readonly mutatedArgs: readonly string[];
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
