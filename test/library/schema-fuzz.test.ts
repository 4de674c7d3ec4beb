import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaError } from "../../src/core/errors.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";
import { CANONICAL_EXTRAS, NORMALISED_EXTRAS, SYMM_MEM_OPS } from "./ops-schemas.ts";

const VALID: readonly string[] = [
  ...SYMM_MEM_OPS.map((op) => op.schema),
  ...CANONICAL_EXTRAS,
  ...NORMALISED_EXTRAS.map(([source]) => source),
];

/** Characters that matter to the grammar, so mutations often make near-valid schemas. */
const SYNTAX_CHARS = [..."()[]<>?!*=,.:;-'\"\\ _aZ09e", "->", "::", "None", "Tensor", "int", "[]", "\n"];

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
