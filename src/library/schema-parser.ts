/**
 * Parser for PyTorch's function-schema syntax, after torch/csrc/jit/frontend/function_schema_parser.cpp:
 *   schema   := [ns "::"] name ["." overload] "(" [param {"," param}] ")" "->" returns
 *   param    := argument | "*" | "..."                       ("..." only last)
 *   argument := type ["[" N "]" [alias] ["?"]] name ["=" default]
 *   returns  := "..." | "(" [ret {"," ret}] ")" | ret        ret := type ["[" N "]" ...] [name] | "..."
 * Types are read by schema-type-parser.ts, defaults by schema-default.ts. Whitespace is allowed
 * between any two tokens. Every failure is a SchemaError with a 0-based position.
 */
import { flattenType } from "./arg-type.ts";
import { parseDefault, type ParsedDefault } from "./schema-default.ts";
import { SchemaScanner } from "./schema-scanner.ts";
import { parseAlias, parseType, type TypeContext } from "./schema-type-parser.ts";
import type { SchemaType } from "./schema-type.ts";
import { OpSchema, type Argument, type Return } from "./schema.ts";

/**
 * Parses `[ns::]name[.overload](args) -> returns` into an OpSchema, keeping types and defaults
 * as written. Throws a SchemaError with the 0-based position of the first problem.
 */
export function parseSchema(text: string): OpSchema {
  const s = new SchemaScanner(text);
  const ctx: TypeContext = { fresh: 0 };
  const first = s.ident("an operator name");
  let namespace: string | undefined;
  let name = first;
  if (s.eat("::")) {
    namespace = first;
    name = s.ident("an operator name after \"::\"");
  }
  const overload = s.eat(".") ? s.ident("an overload name after \".\"") : "";
  s.expect("(");
  const { args, isVararg } = parseArguments(s, ctx);
  s.expect("->");
  const { returns, isVarret } = parseReturns(s, ctx);
  if (!s.atEnd()) s.fail("end of schema");
  return new OpSchema({
    ...(namespace === undefined ? {} : { namespace }),
    name,
    overload,
    args,
    returns,
    ...(isVararg ? { isVararg } : {}),
    ...(isVarret ? { isVarret } : {}),
  });
}

/** After "(": the argument list, through its closing ")". */
function parseArguments(s: SchemaScanner, ctx: TypeContext): { args: Argument[]; isVararg: boolean } {
  const args: Argument[] = [];
  let isVararg = false;
  if (s.eat(")")) return { args, isVararg };
  let kwargOnly = false;
  let sawDefault = false;
  for (;;) {
    const start = s.skipWs();
    if (isVararg) s.fail("\")\" (... must be the last element of the argument list)", start);
    if (s.eat("...")) {
      isVararg = true;
      const withDefault = args.find((a) => a.hasDefault);
      if (withDefault !== undefined) s.fail(`an argument without a default before "..." (schemas with vararg (...) can't have default value args; "${withDefault.name}" has one)`, start, "\"...\"");
    } else if (s.eat("*")) {
      kwargOnly = true;
    } else {
      const { tree, nameAt } = parseSizedType(s, ctx);
      const flat = flattenType(tree);
      const name = s.ident("an argument name");
      if (args.some((a) => a.name === name)) s.fail("a unique argument name", nameAt, `${JSON.stringify(name)} again`);
      let dflt: ParsedDefault | undefined;
      if (s.eat("=")) {
        dflt = parseDefault(s, flat.type);
      } else if (sawDefault && !kwargOnly && tree.tag !== "list") {
        // PyTorch's FunctionSchema::checkSchema: a positional argument without a default cannot
        // follow one with a default, unless it is a list ("broadcasting lists" were serialized so).
        s.fail(`"=" and a default for ${JSON.stringify(name)} (it follows a positional argument with a default)`);
      }
      if (dflt !== undefined && !kwargOnly) sawDefault = true;
      args.push({
        name,
        ...flat,
        hasDefault: dflt !== undefined,
        ...(dflt === undefined ? {} : { default: dflt.value }),
        ...(dflt?.text === undefined ? {} : { defaultText: dflt.text }),
        kwargOnly,
      });
    }
    if (s.eat(",")) continue;
    s.expect(")", "\",\" or \")\"");
    return { args, isVararg };
  }
}

/** A type, then a fixed size `[N]` with its alias annotation and `?`, as PyTorch's parseArgument reads it. */
function parseSizedType(s: SchemaScanner, ctx: TypeContext): { tree: SchemaType; nameAt: number } {
  let tree = parseType(s, ctx);
  if (s.eat("[")) {
    const at = s.skipWs();
    const m = /\d+/y;
    m.lastIndex = at;
    if (m.exec(s.text) === null) s.fail("\"]\" or a list size", at);
    const size = Number(s.text.slice(at, m.lastIndex));
    if (!Number.isSafeInteger(size) || size > 2 ** 31 - 1) s.fail("a list size below 2^31", at);
    s.pos = m.lastIndex;
    s.expect("]");
    const alias = parseAlias(s, ctx);
    tree = { tag: "list", element: tree, size, ...(alias === undefined ? {} : { alias }) };
    if (s.eat("?")) tree = { tag: "optional", inner: tree };
  }
  return { tree, nameAt: s.skipWs() };
}

function parseReturns(s: SchemaScanner, ctx: TypeContext): { returns: Return[]; isVarret: boolean } {
  if (s.eat("...")) return { returns: [], isVarret: true };
  if (!s.eat("(")) return { returns: [parseReturn(s, ctx, [])], isVarret: false };
  const returns: Return[] = [];
  let isVarret = false;
  if (s.eat(")")) return { returns, isVarret };
  for (;;) {
    const start = s.skipWs();
    if (isVarret) s.fail("\")\" (... must be the last element of the return list)", start);
    if (s.eat("...")) isVarret = true;
    else returns.push(parseReturn(s, ctx, returns));
    if (s.eat(",")) continue;
    s.expect(")", "\",\" or \")\"");
    return { returns, isVarret };
  }
}

function parseReturn(s: SchemaScanner, ctx: TypeContext, earlier: readonly Return[]): Return {
  const { tree, nameAt } = parseSizedType(s, ctx);
  const name = s.tryIdent();
  if (name !== undefined && earlier.some((r) => r.name === name)) s.fail("a unique return name", nameAt, `${JSON.stringify(name)} again`);
  return { ...flattenType(tree), ...(name === undefined ? {} : { name }) };
}
