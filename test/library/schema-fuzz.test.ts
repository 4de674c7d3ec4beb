import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaError } from "../../src/core/errors.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { BASE_TYPES } from "../../src/library/schema-type.ts";
import { CANONICAL_EXTRAS, NORMALISED_EXTRAS, SYMM_MEM_OPS } from "./ops-schemas.ts";
import { MORE_FORMS, PYTORCH } from "./pytorch-schemas.ts";

const VALID: readonly string[] = [
  ...SYMM_MEM_OPS.map((op) => op.schema),
  ...CANONICAL_EXTRAS,
  ...NORMALISED_EXTRAS.map(([source]) => source),
  ...PYTORCH.map(([schema]) => schema),
  ...MORE_FORMS,
];

/** Characters that matter to the grammar, so mutations often make near-valid schemas. */
const SYNTAX_CHARS = [
  ..."()[]<>?!*=,.:;-|'\"\\ _aZ09ej", "->", "::", "...", "None", "Tensor", "int", "SymInt", "t", "Dict", "Union", "[]", "[2]",
  "(a!)", "(a -> *)", "(*)", "__torch__.torch.classes.", "Mean", "long", "1e-05", "\n",
];

// ── schemas generated from the grammar, printed as the printer prints them ──

const NAMES = [...Object.keys(BASE_TYPES), "t", "tVal", "__torch__.torch.classes.ns.Klass"];
const ALIASES = ["", "", "", "(a)", "(a!)", "(b!)", "(a|b)", "(a -> *)", "(a! -> a|b)", "(*)", "!"];

/** A type written the way `formatType` prints it. */
const typeText: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...ALIASES)).map(([n, a]) => (n.startsWith("__") ? n : n + a)),
    fc.tuple(tie("t"), fc.constantFrom(...ALIASES)).map(([t, a]) => `${t}[]${a}`),
    tie("t").map((t) => `${t}?`),
    fc.array(tie("t"), { maxLength: 3 }).map((ts) => `(${ts.join(", ")})`),
    fc.tuple(tie("t"), tie("t"), fc.constantFrom(...ALIASES)).map(([k, v, a]) => `Dict(${k}, ${v})${a}`),
    fc.array(tie("t"), { minLength: 1, maxLength: 3 }).map((ts) => `Union(${ts.join(", ")})`),
    fc.tuple(fc.constantFrom("Future", "Await", "RRef"), tie("t")).map(([c, t]) => `${c}(${t})`),
  ),
})).t;

/** An argument's type, with PyTorch's argument-level fixed size `[N]` sometimes. */
const argType = fc.oneof(
  typeText,
  fc.tuple(typeText, fc.integer({ min: 0, max: 9 }), fc.constantFrom(...ALIASES), fc.boolean()).map(
    ([t, n, a, opt]) => `${t}[${n}]${a}${opt ? "?" : ""}`,
  ),
);

/** Typed defaults, each as the printer prints it. */
const DEFAULTED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["int", ["0", "-1", "Mean", "long", "9007199254740991"]],
  ["SymInt", ["-100", "0"]],
  ["float", ["1e-05", "0.5", "1", "-0.0", ".5", "1.", "2E3"]],
  ["Scalar", ["1", "0.01", "True", "2j"]],
  ["complex", ["1j", "-2.5j"]],
  ["bool", ["True", "False"]],
  ["str", ["'sum'", "\"valid\"", "'it\\'s'", "''"]],
  ["Device", ["\"cpu\""]],
  ["ScalarType", ["float", "long", "complex"]],
  ["ScalarType?", ["None", "long"]],
  ["Layout", ["strided"]],
  ["MemoryFormat", ["contiguous_format"]],
  ["Tensor", ["None"]],
  ["Tensor?", ["None"]],
  ["Generator?", ["None"]],
  ["int[]", ["[]", "[0, 1]", "[-1]"]],
  ["SymInt[2]", ["1", "[1, 2]", "[]"]],
  ["int?[]", ["[1, None]"]],
  ["bool[3]", ["[True, False, True]", "True"]],
  ["float[]?", ["None", "[0.5, 1]"]],
  ["str[]", ["['a', \"b\"]"]],
];
const defaulted = fc.constantFrom(...DEFAULTED).chain(([t, ds]) => fc.constantFrom(...ds).map((d) => ({ t, d })));

/** A whole schema: positionals, then defaulted ones, `*`, keyword-only ones, maybe `...`; then returns. */
const schemaText: fc.Arbitrary<string> = fc
  .record({
    ns: fc.constantFrom("", "ns::", "aten::"),
    overload: fc.constantFrom("", ".out", ".Tensor_mode"),
    positional: fc.array(argType, { maxLength: 4 }),
    defaults: fc.array(defaulted, { maxLength: 3 }),
    kwargs: fc.array(fc.oneof(argType.map((t) => ({ t, d: undefined as string | undefined })), defaulted), { maxLength: 3 }),
    vararg: fc.boolean(),
    returns: fc.oneof(
      fc.constant("()"),
      fc.constant("..."),
      typeText.filter((t) => !t.startsWith("(")),
      fc.array(fc.tuple(argType, fc.boolean()), { minLength: 1, maxLength: 3 }).chain((rs) =>
        fc.boolean().map((varret) => {
          const items = rs.map(([t, named], i) => (named ? `${t} r${i}` : t));
          if (items.length === 1 && !rs[0]?.[1] && !varret) items.push("int");
          return `(${[...items, ...(varret ? ["..."] : [])].join(", ")})`;
        }),
      ),
    ),
  })
  .map(({ ns, overload, positional, defaults, kwargs, vararg, returns }) => {
    let i = 0;
    const parts = positional.map((t) => `${t} a${i++}`);
    parts.push(...defaults.map(({ t, d }) => `${t} a${i++}=${d}`));
    if (kwargs.length > 0) parts.push("*", ...kwargs.map(({ t, d }) => `${t} a${i++}${d === undefined ? "" : `=${d}`}`));
    if (vararg && defaults.length === 0 && kwargs.every((k) => k.d === undefined)) parts.push("...");
    return `${ns}op${overload}(${parts.join(", ")}) -> ${returns}`;
  });

type Mutation =
  | { kind: "delete"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "replace"; at: number; text: string }
  | { kind: "swap"; at: number; with: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SYNTAX_CHARS), fc.string({ maxLength: 2 })) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SYNTAX_CHARS), fc.string({ maxLength: 2 })) }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
);

/** Whitespace runs, words and single characters: swapping two of them swaps tokens. */
function tokens(text: string): string[] {
  return text.match(/\s+|[A-Za-z0-9_]+|./gs) ?? [];
}

function mutate(text: string, m: Mutation): string {
  if (m.kind === "swap") {
    const t = tokens(text);
    if (t.length < 2) return text;
    const i = m.at % t.length;
    const j = m.with % t.length;
    [t[i], t[j]] = [t[j] ?? "", t[i] ?? ""];
    return t.join("");
  }
  const at = m.at % (text.length + 1);
  if (m.kind === "delete") return text.slice(0, at) + text.slice(at + 1);
  if (m.kind === "insert") return text.slice(0, at) + m.text + text.slice(at);
  return text.slice(0, at) + m.text + text.slice(at + 1);
}

/** parseSchema either returns a schema that round-trips or throws a SchemaError with a sane position. */
function checkParse(text: string): boolean {
  let schema;
  try {
    schema = parseSchema(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    const position = (e as SchemaError).position;
    expect(Number.isInteger(position) && position >= 0 && position <= text.length).toBe(true);
    return false;
  }
  const printed = schema.toString();
  const reparsed = parseSchema(printed);
  expect(reparsed).toEqual(schema);
  expect(reparsed.toString()).toBe(printed);
  return true;
}

describe("parseSchema on schemas generated from PyTorch's grammar", () => {
  it("parses each and prints it back exactly", () => {
    fc.assert(
      fc.property(schemaText, (text) => {
        const schema = parseSchema(text);
        expect(schema.toString()).toBe(text);
        expect(parseSchema(schema.toString())).toEqual(schema);
      }),
      { numRuns: 600 },
    );
  });

  it("gives only positioned SchemaErrors on their mutants, and valid mutants round-trip", () => {
    let parsed = 0;
    fc.assert(
      fc.property(schemaText, fc.array(mutation, { minLength: 1, maxLength: 3 }), (text, mutations) => {
        if (checkParse(mutations.reduce(mutate, text))) parsed += 1;
      }),
      { numRuns: 1000 },
    );
    expect(parsed).toBeGreaterThan(50);
  });
});

describe("parseSchema under random input", () => {
  it("never throws anything but SchemaError on random strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => void checkParse(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => void checkParse(text)), { numRuns: 500 });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SYNTAX_CHARS, "x", "y", "float", "=1", "'s'"), { maxLength: 30 }), (parts) =>
        void checkParse(parts.join("")),
      ),
      { numRuns: 2000 },
    );
  });

  it("never throws anything but SchemaError on mutated valid schemas, and valid results round-trip", () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) => {
        if (checkParse(mutations.reduce(mutate, text))) parsed += 1;
      }),
      { numRuns: 5000 },
    );
    // Guards the generator: enough mutants must stay valid for the round-trip half to mean something.
    expect(parsed).toBeGreaterThan(250);
  });
});
