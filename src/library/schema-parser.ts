/**
 * Parser for PyTorch's function-schema syntax:
 *   [ns::]name[.overload](args) -> returns
 * Recursive descent over a SchemaScanner; whitespace is allowed between any two tokens.
 * Unsupported PyTorch forms (`int[2]`, `Tensor?[]`, `Tensor(a -> *)`, `...`) are rejected with
 * a position rather than half-understood.
 */
import { SchemaScanner } from "./schema-scanner.ts";
import {
  OpSchema,
  formatType,
  type AliasInfo,
  type ArgType,
  type Argument,
  type DefaultScalar,
  type DefaultValue,
  type Return,
  type TypeKind,
} from "./schema.ts";

const TYPE_NAMES: Readonly<Record<string, TypeKind>> = {
  Tensor: "Tensor",
  int: "int",
  SymInt: "int",
  float: "float",
  bool: "bool",
  str: "str",
  Scalar: "Scalar",
};
const KNOWN_TYPES = "a type (Tensor, int, SymInt, float, bool, str, Scalar)";

/**
 * Parses `[ns::]name[.overload](args) -> returns` into an OpSchema (`SymInt` is read as `int`).
 * Throws a SchemaError with the 0-based position of the first problem, including the forms it
 * does not support.
 */
export function parseSchema(text: string): OpSchema {
  const s = new SchemaScanner(text);
  const first = s.ident("an operator name");
  let namespace: string | undefined;
  let name = first;
  if (s.eat("::")) {
    namespace = first;
    name = s.ident("an operator name after \"::\"");
  }
  const overload = s.eat(".") ? s.ident("an overload name after \".\"") : "";
  s.expect("(");
  const args = parseArguments(s);
  s.expect("->");
  const returns = parseReturns(s);
  if (!s.atEnd()) s.fail("end of schema");
  return new OpSchema({ ...(namespace === undefined ? {} : { namespace }), name, overload, args, returns });
}

interface TypeWithAlias {
  readonly type: ArgType;
  readonly alias?: AliasInfo;
}

/** After "(": the argument list, through its closing ")". */
function parseArguments(s: SchemaScanner): Argument[] {
  const args: Argument[] = [];
  if (s.eat(")")) return args;
  let kwargOnly = false;
  let sawDefault = false;
  for (;;) {
    const start = s.skipWs();
    if (s.eat("*")) {
      if (kwargOnly) s.fail(KNOWN_TYPES, start);
      kwargOnly = true;
      s.expect(",", "\",\" and keyword-only arguments after \"*\"");
      continue;
    }
    const { type, alias } = parseType(s);
    const nameAt = s.skipWs();
    const name = s.ident("an argument name");
    if (args.some((a) => a.name === name)) s.fail("a unique argument name", nameAt, `${JSON.stringify(name)} again`);
    let dflt: { value: DefaultValue } | undefined;
    if (s.eat("=")) {
      dflt = { value: parseDefault(s, type) };
    } else if (sawDefault && !kwargOnly) {
      // As in PyTorch: a positional argument without a default cannot follow one with a default.
      s.fail(`"=" and a default for ${JSON.stringify(name)} (it follows a positional argument with a default)`);
    }
    if (dflt !== undefined && !kwargOnly) sawDefault = true;
    args.push({
      name,
      type,
      ...(alias === undefined ? {} : { alias }),
      hasDefault: dflt !== undefined,
      ...(dflt === undefined ? {} : { default: dflt.value }),
      kwargOnly,
    });
    if (s.eat(",")) continue;
    s.expect(")", "\",\" or \")\"");
    return args;
  }
}

function parseReturns(s: SchemaScanner): Return[] {
  if (!s.eat("(")) return [parseType(s)];
  const returns: Return[] = [];
  if (s.eat(")")) return returns;
  for (;;) {
    const { type, alias } = parseType(s);
    const nameAt = s.skipWs();
    const name = s.tryIdent();
    if (name !== undefined && returns.some((r) => r.name === name)) {
      s.fail("a unique return name", nameAt, `${JSON.stringify(name)} again`);
    }
    returns.push({ type, ...(alias === undefined ? {} : { alias }), ...(name === undefined ? {} : { name }) });
    if (s.eat(",")) continue;
    s.expect(")", "\",\" or \")\"");
    return returns;
  }
}

/** `Base[(set[!])][[]][?]` — alias only on Tensor. */
function parseType(s: SchemaScanner): TypeWithAlias {
  const start = s.skipWs();
  const base = s.tryIdent() ?? "";
  // hasOwn: "constructor" must not find Object.prototype's.
  const kind = Object.hasOwn(TYPE_NAMES, base) ? TYPE_NAMES[base] : undefined;
  if (kind === undefined) s.fail(KNOWN_TYPES, start);
  let alias: AliasInfo | undefined;
  const parenAt = s.skipWs();
  if (s.eat("(")) {
    if (kind !== "Tensor") s.fail(`an argument name (alias annotations are for Tensor, not ${base})`, parenAt);
    const set = s.ident("an alias set name");
    alias = { set, isWrite: s.eat("!") };
    s.expect(")", alias.isWrite ? "\")\"" : "\"!\" or \")\"");
  }
  let list = false;
  if (s.eat("[")) {
    s.expect("]");
    list = true;
  }
  const optional = s.eat("?");
  return { type: { kind, optional, list }, ...(alias === undefined ? {} : { alias }) };
}

interface Literal {
  readonly kind: "None" | "bool" | "int" | "float" | "str";
  readonly value: DefaultScalar;
  readonly start: number;
}

function parseDefault(s: SchemaScanner, type: ArgType): DefaultValue {
  const start = s.skipWs();
  const expected = `a default of type ${formatType(type)}`;
  if (s.eat("[")) {
    if (!type.list) s.fail(expected, start, "a list");
    const values: DefaultScalar[] = [];
    if (s.eat("]")) return values;
    for (;;) {
      const lit = parseLiteral(s);
      if (!scalarFits(type.kind, lit)) s.fail(`a list element of type ${type.kind}`, lit.start, describe(s, lit));
      values.push(lit.value);
      if (s.eat(",")) continue;
      s.expect("]", "\",\" or \"]\"");
      return values;
    }
  }
  const lit = parseLiteral(s);
  const fits = lit.kind === "None" ? type.optional : !type.list && scalarFits(type.kind, lit);
  if (!fits) s.fail(expected, start, describe(s, lit));
  return lit.value;
}

function scalarFits(kind: TypeKind, lit: Literal): boolean {
  switch (kind) {
    case "int":
      return lit.kind === "int";
    case "float":
      return lit.kind === "int" || lit.kind === "float";
    case "Scalar":
      return lit.kind === "int" || lit.kind === "float" || lit.kind === "bool";
    case "bool":
      return lit.kind === "bool";
    case "str":
      return lit.kind === "str";
    case "Tensor":
      return false;
  }
}

function describe(s: SchemaScanner, lit: Literal): string {
  const source = s.text.slice(lit.start, s.pos);
  return lit.kind === "None" ? "None" : `${lit.kind} ${source}`;
}

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

function parseLiteral(s: SchemaScanner): Literal {
  const start = s.skipWs();
  const word = s.tryIdent();
  if (word === "None") return { kind: "None", value: null, start };
  if (word === "True" || word === "False") return { kind: "bool", value: word === "True", start };
  if (word !== undefined) s.fail("a default value (None, True, False, a number, a string or a list)", start);
  const quoteChar = s.text[start];
  if (quoteChar === "'" || quoteChar === "\"") return { kind: "str", value: parseString(s, quoteChar), start };
  NUMBER.lastIndex = start;
  const m = NUMBER.exec(s.text);
  if (m === null) s.fail("a default value (None, True, False, a number, a string or a list)", start);
  s.pos = NUMBER.lastIndex;
  const isFloat = m[1] !== undefined || m[2] !== undefined;
  // `+ 0` turns -0 into 0 so that printing and re-parsing give the same value.
  const value = Number(m[0]) + 0;
  if (isFloat && !Number.isFinite(value)) s.fail("a finite float", start);
  if (!isFloat && !Number.isSafeInteger(value)) s.fail("an integer between -(2^53-1) and 2^53-1", start);
  return { kind: isFloat ? "float" : "int", value, start };
}

const UNESCAPE: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t" };

/** A quoted string; a backslash escapes the next character (`\n`, `\r`, `\t` name controls). */
function parseString(s: SchemaScanner, quoteChar: string): string {
  let value = "";
  let i = s.pos + 1;
  for (;;) {
    const c = s.text[i];
    if (c === undefined) s.fail(`a closing ${quoteChar}`, i);
    if (c === quoteChar) break;
    if (c === "\\") {
      const next = s.text[i + 1];
      if (next === undefined) s.fail(`a closing ${quoteChar}`, i + 1);
      value += UNESCAPE[next] ?? next;
      i += 2;
    } else {
      value += c;
      i += 1;
    }
  }
  s.pos = i + 1;
  return value;
}
