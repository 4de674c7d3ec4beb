/**
 * The type half of PyTorch's schema grammar, after schema_type_parser.cpp:
 *   type  := ( "(" [type {"," type}] ")"                      tuple
 *            | ("Future" | "Await" | "RRef") "(" type ")"
 *            | "Dict" "(" type "," type ")" [alias]
 *            | "Union" "(" type {"," type} ")" [alias]
 *            | "__torch__" "." "torch" "." "classes" "." ns "." Name   custom class
 *            | base [alias] )                                 base: a built-in name or a type variable
 *           { "[" "]" [alias] | "?" }
 *   alias := "(" set {"|" set} ["!"] ["->" set {"|" set}] ")" | "!"      set: a name or "*"
 * A fixed-size list `int[2]` is read by the argument parser (schema-parser.ts), as in PyTorch.
 */
import type { SchemaScanner } from "./schema-scanner.ts";
import { BASE_TYPES, CLASS_PREFIX, type AliasInfo, type SchemaType, type TypeConstructor } from "./schema-type.ts";

/** What every "expected a type" error lists. */
export const KNOWN_TYPES =
  "a type (Tensor, int, SymInt, float, SymFloat, bool, SymBool, str, Scalar, ScalarType, Layout, MemoryFormat, " +
  "Device, Generator, Dimname, ..., a custom class __torch__.torch.classes.ns.Name or a lower-case type variable)";

/** Per-schema parser state: the counter behind fresh alias sets (`Tensor!` is in set `$0`, then `$1`...). */
export interface TypeContext {
  /** The next fresh set number. */
  fresh: number;
}

/** Parses one type (without a fixed size); see the grammar above. */
export function parseType(s: SchemaScanner, ctx: TypeContext): SchemaType {
  let t = parsePrimary(s, ctx);
  for (;;) {
    const save = s.pos;
    if (s.eat("[")) {
      if (!s.eat("]")) {
        s.pos = save; // `[N]`: a fixed size, for the argument parser
        return t;
      }
      const alias = parseAlias(s, ctx);
      t = { tag: "list", element: t, ...(alias === undefined ? {} : { alias }) };
    } else if (s.eat("?")) {
      t = { tag: "optional", inner: t };
    } else {
      return t;
    }
  }
}

function parsePrimary(s: SchemaScanner, ctx: TypeContext): SchemaType {
  const start = s.skipWs();
  if (s.eat("(")) return { tag: "tuple", items: parseTypeList(s, ctx, 0) };
  const name = s.tryIdent();
  if (name === undefined) s.fail(KNOWN_TYPES, start);
  switch (name) {
    case "Future":
    case "Await":
    case "RRef":
      return apply(s, ctx, name, 1, 1, false);
    case "Dict":
      return apply(s, ctx, name, 2, 2, true);
    case "Union":
      return apply(s, ctx, name, 1, Infinity, true);
    case "__torch__":
      return { tag: "base", name: parseClassName(s) };
  }
  if (!Object.hasOwn(BASE_TYPES, name)) {
    if (name === "double") s.fail("a type (use `float` instead of `double`: `float` in a schema is C++'s double)", start, `"double"`);
    if (name === "int64_t") s.fail("a type (use `SymInt` or `int` instead of `int64_t`)", start, `"int64_t"`);
    // As in PyTorch: a lower-case name that is no built-in type is a type variable (`t`).
    if (!/^[a-z]/.test(name)) s.fail(KNOWN_TYPES, start);
  }
  const alias = parseAlias(s, ctx);
  return { tag: "base", name, ...(alias === undefined ? {} : { alias }) };
}

/** After `Name`: `(T, ...)` with between `min` and `max` types, then an alias annotation where PyTorch reads one. */
function apply(s: SchemaScanner, ctx: TypeContext, name: TypeConstructor, min: number, max: number, aliased: boolean): SchemaType {
  s.expect("(", `"(" after ${name}`);
  const at = s.skipWs();
  const items = parseTypeList(s, ctx, min);
  if (items.length > max) s.fail(`${max} type${max === 1 ? "" : "s"} in ${name}(...)`, at, `${items.length}`);
  const alias = aliased ? parseAlias(s, ctx) : undefined;
  return { tag: "apply", name, items, ...(alias === undefined ? {} : { alias }) };
}

/** After "(": types separated by ",", through ")"; at least `min` of them. */
function parseTypeList(s: SchemaScanner, ctx: TypeContext, min: number): SchemaType[] {
  const items: SchemaType[] = [];
  if (min === 0 && s.eat(")")) return items;
  for (;;) {
    items.push(parseType(s, ctx));
    if (s.eat(",")) continue;
    if (items.length < min) s.fail(`"," and ${min} types`);
    s.expect(")", "\",\" or \")\"");
    return items;
  }
}

/** After `__torch__`: `.torch.classes.ns.Name`. PyTorch also requires the class to be registered; there is no class registry here. */
function parseClassName(s: SchemaScanner): string {
  for (const word of ["torch", "classes"]) {
    s.expect(".", `"." and ${word} (custom classes are __torch__.torch.classes.ns.Name)`);
    const at = s.skipWs();
    if (s.tryIdent() !== word) s.fail(`${word} (custom classes are __torch__.torch.classes.ns.Name)`, at);
  }
  s.expect(".", "\".\" and a class namespace");
  const ns = s.ident("a class namespace");
  s.expect(".", "\".\" and a class name");
  return `${CLASS_PREFIX}${ns}.${s.ident("a class name")}`;
}

/** `(a)`, `(a!)`, `(a|b)`, `(*)`, `(a -> *)`, `(a! -> a|b)`, `!`; undefined when none is written. */
export function parseAlias(s: SchemaScanner, ctx: TypeContext): AliasInfo | undefined {
  if (s.eat("!")) return { set: `$${ctx.fresh++}`, isWrite: true, fresh: true };
  if (!s.eat("(")) return undefined;
  const sets = parseSets(s);
  const isWrite = s.eat("!");
  let after: string[] | undefined;
  if (s.eat("->")) after = parseSets(s);
  s.expect(")", after !== undefined ? "\"|\" or \")\"" : isWrite ? "\"->\" or \")\"" : "\"|\", \"->\", \"!\" or \")\"");
  return { set: sets[0] as string, isWrite, ...(sets.length > 1 ? { sets } : {}), ...(after === undefined ? {} : { after }) };
}

function parseSets(s: SchemaScanner): string[] {
  const sets: string[] = [];
  do {
    sets.push(s.eat("*") ? "*" : s.ident("an alias set name (or * for the wildcard)"));
  } while (s.eat("|"));
  return sets;
}
