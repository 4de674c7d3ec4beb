/**
 * Default values of schema arguments, after function_schema_parser.cpp (parseDefaultValue,
 * parseSingleConstant): None, True, False, numbers (`-1`, `1e-05`, `.5`, `2j`), quoted strings,
 * lists (`[0, 1]`, `[]`), a single value for a fixed-size list (`int[2] stride=1` is `[1, 1]`),
 * and PyTorch's identifiers `float`, `long`, `complex`, `strided`, `Mean`, `contiguous_format`.
 * Each default is checked against its type (PyTorch checks less; see docs/schema.md).
 */
import type { ArgType } from "./arg-type.ts";
import type { SchemaScanner } from "./schema-scanner.ts";
import { formatDefault, type DefaultScalar, type DefaultValue } from "./schema.ts";
import { formatType } from "./arg-type.ts";
import type { TypeKind } from "./schema-type.ts";

/** A parsed default: its value and the text it was written as (spacing normalised). */
export interface ParsedDefault {
  /** The value. */
  readonly value: DefaultValue;
  /** The text as written, when it is not how `value` prints. */
  readonly text?: string;
}

interface Literal {
  readonly kind: "None" | "bool" | "int" | "float" | "complex" | "str" | "ident";
  readonly value: DefaultScalar;
  /** The literal as written (a sign and its number without the space between). */
  readonly text: string;
  readonly start: number;
}

/**
 * PyTorch's identifier defaults: the int each stands for (`int reduction=Mean` is 1) and, for the
 * enum types, the name the value has here.
 */
const IDENTIFIERS: Readonly<Record<string, { readonly code: number; readonly kind?: TypeKind; readonly name?: string }>> = {
  float: { code: 6, kind: "ScalarType", name: "float32" },
  complex: { code: 9, kind: "ScalarType", name: "complex64" },
  long: { code: 4, kind: "ScalarType", name: "int64" },
  strided: { code: 0, kind: "Layout", name: "strided" },
  Mean: { code: 1 },
  contiguous_format: { code: 0, kind: "MemoryFormat", name: "contiguous_format" },
};
const ANY_DEFAULT = "a default value (None, True, False, a number, a string, a list, or float, long, complex, strided, Mean, contiguous_format)";

/** Kinds PyTorch accepts a default for (beyond None for an optional type). */
const DEFAULTABLE: ReadonlySet<TypeKind> = new Set<TypeKind>([
  "Tensor", "Generator", "Quantizer", "int", "float", "bool", "str", "Scalar", "complex", "ScalarType", "Layout", "MemoryFormat", "Device",
]);

/** After "=": the default of an argument of type `type`. */
export function parseDefault(s: SchemaScanner, type: ArgType): ParsedDefault {
  const start = s.skipWs();
  const expected = `a default of type ${formatType(type)}`;
  const kind = type.kind;
  if (s.eat("[")) {
    if (!type.list) s.fail(expected, start, "a list");
    const values: DefaultScalar[] = [];
    const texts: string[] = [];
    if (!s.eat("]")) {
      for (;;) {
        const lit = parseLiteral(s);
        const value = elementValue(type, lit);
        if (value === undefined) s.fail(`a list element of type ${formatType({ kind, optional: false, list: false, ...(type.name === undefined ? {} : { name: type.name }) })}`, lit.start, describe(lit));
        values.push(value.v);
        texts.push(lit.text);
        if (s.eat(",")) continue;
        s.expect("]", "\",\" or \"]\"");
        break;
      }
    }
    return withText(values, `[${texts.join(", ")}]`, kind);
  }
  const lit = parseLiteral(s);
  if (lit.kind === "None") {
    // PyTorch's parseTensorDefault: a Tensor (or Generator, Quantizer) may default to None without `?`.
    const tensorLike = !type.list && (kind === "Tensor" || kind === "Generator" || kind === "Quantizer");
    if (!type.optional && !tensorLike) s.fail(expected, start, "None");
    return withText(null, lit.text, kind);
  }
  if (type.list) {
    // `int[2] stride=1`: one value for every element of a fixed-size list.
    const value = type.size === undefined ? undefined : elementValue(type, lit);
    if (value === undefined) s.fail(expected, start, describe(lit));
    return withText(Array.from({ length: type.size ?? 0 }, () => value.v), lit.text, kind);
  }
  const value = DEFAULTABLE.has(kind) ? scalarValue(kind, lit) : undefined;
  if (value === undefined) s.fail(expected, start, describe(lit));
  return withText(value.v, lit.text, kind);
}

function withText(value: DefaultValue, text: string, kind: TypeKind): ParsedDefault {
  return text === formatDefault(value, kind) ? { value } : { value, text };
}

/** A list element: None only in a list of optionals (`Tensor?[]`, `int?[]`). */
function elementValue(type: ArgType, lit: Literal): { v: DefaultScalar } | undefined {
  if (lit.kind === "None") return type.elementOptional === true ? { v: null } : undefined;
  return scalarValue(type.kind, lit);
}

function scalarValue(kind: TypeKind, lit: Literal): { v: DefaultScalar } | undefined {
  if (lit.kind === "ident") {
    const id = IDENTIFIERS[lit.text];
    if (id === undefined) return undefined;
    if (kind === "int") return { v: id.code };
    return id.kind === kind && id.name !== undefined ? { v: id.name } : undefined;
  }
  switch (kind) {
    case "int":
      return lit.kind === "int" ? { v: lit.value } : undefined;
    case "float":
      return lit.kind === "int" || lit.kind === "float" ? { v: lit.value } : undefined;
    case "complex":
      return lit.kind === "complex" ? { v: lit.value } : undefined;
    case "Scalar":
      return lit.kind === "int" || lit.kind === "float" || lit.kind === "bool" || lit.kind === "complex" ? { v: lit.value } : undefined;
    case "bool":
      return lit.kind === "bool" ? { v: lit.value } : undefined;
    case "str":
    case "Device":
      return lit.kind === "str" ? { v: lit.value } : undefined;
    default:
      return undefined;
  }
}

function describe(lit: Literal): string {
  if (lit.kind === "None") return "None";
  if (lit.kind === "ident") return JSON.stringify(lit.text);
  return `${lit.kind} ${lit.text}`;
}

/** A PyTorch number token (strtod's decimal forms, then an optional `j` for an imaginary literal). */
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?j?/y;

function parseLiteral(s: SchemaScanner): Literal {
  const start = s.skipWs();
  const word = s.tryIdent();
  if (word === "None") return { kind: "None", value: null, text: word, start };
  if (word === "True" || word === "False") return { kind: "bool", value: word === "True", text: word, start };
  if (word !== undefined) {
    if (!Object.hasOwn(IDENTIFIERS, word)) s.fail(ANY_DEFAULT, start);
    return { kind: "ident", value: null, text: word, start };
  }
  const quoteChar = s.text[start];
  if (quoteChar === "'" || quoteChar === "\"") {
    const value = parseString(s, quoteChar);
    return { kind: "str", value, text: s.text.slice(start, s.pos), start };
  }
  const negative = s.eat("-") && !s.text.startsWith(">", s.pos);
  if (!negative) s.pos = start;
  const at = negative ? s.skipWs() : start;
  NUMBER.lastIndex = at;
  const m = NUMBER.exec(s.text);
  if (m === null) s.fail(ANY_DEFAULT, start);
  s.pos = NUMBER.lastIndex;
  const written = m[0];
  const text = negative ? `-${written}` : written;
  if (written.endsWith("j")) {
    const im = Number(text.slice(0, -1)) + 0;
    if (!Number.isFinite(im)) s.fail("a finite complex number", start);
    return { kind: "complex", value: { re: 0, im }, text, start };
  }
  const isFloat = /[.eE]/.test(written);
  // `+ 0` turns -0 into 0, so that the value prints and re-parses the same.
  const value = Number(text) + 0;
  if (isFloat && !Number.isFinite(value)) s.fail("a finite float", start);
  if (!isFloat && !Number.isSafeInteger(value)) s.fail("an integer between -(2^53-1) and 2^53-1", start);
  return { kind: isFloat ? "float" : "int", value, text, start };
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
