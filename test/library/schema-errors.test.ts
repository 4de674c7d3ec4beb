import { describe, expect, it } from "vitest";
import { SchemaError } from "../../src/core/errors.ts";
import { parseSchema } from "../../src/library/schema-parser.ts";

/** [schema, 0-based position of the error, a fragment of the "expected" part]. */
const MALFORMED: ReadonlyArray<readonly [string, number, string]> = [
  ["", 0, "an operator name"],
  ["   ", 3, "an operator name"],
  ["1foo(Tensor x) -> Tensor", 0, "an operator name"],
  ["foo", 3, "\"(\""],
  ["foo(Tensor x)", 13, "\"->\""],
  ["foo(Tensor x) ->", 16, "a type"],
  ["foo(Tensor x -> Tensor", 13, "\",\" or \")\""],
  ["foo(Tensr x) -> Tensor", 4, "a type"],
  ["foo(Tensor) -> Tensor", 10, "an argument name"],
  ["foo(Tensor x, Tensor x) -> Tensor", 21, "a unique argument name"],
  ["foo(Tensor a, int b=1, int c) -> ()", 28, "a default for \"c\""],
  ["foo(int(a) x) -> ()", 7, "alias annotations are for Tensor"],
  ["foo(SymInt(a) x) -> ()", 10, "alias annotations are for Tensor"],
  ["foo(int x='a') -> ()", 10, "a default of type int"],
  ["foo(Tensor t=3) -> ()", 13, "a default of type Tensor"],
  ["foo(Tensor t=None) -> ()", 13, "a default of type Tensor"],
  ["foo(float f=None) -> ()", 12, "a default of type float"],
  ["foo(Tensor x) -> Tensor junk", 24, "end of schema"],
  ["foo(Tensor x) -> ()()", 19, "end of schema"],
  ["foo(Tensor x,) -> ()", 13, "a type"],
  ["foo(Tensor x) -> (Tensor", 24, "\",\" or \")\""],
  ["ns::(Tensor x) -> ()", 4, "an operator name"],
  ["ns::foo.(Tensor x) -> ()", 8, "an overload name"],
  ["foo:bar(Tensor x) -> ()", 3, "\"(\""],
  ["foo(Tensor(a x) -> ()", 13, "\"!\" or \")\""],
  ["foo(Tensor() x) -> ()", 11, "an alias set name"],
  ["foo(Tensor(a!)! x) -> ()", 14, "an argument name"],
  ["foo(int[2] x) -> ()", 8, "\"]\""],
  ["foo(Tensor?[] x) -> ()", 11, "an argument name"],
  ["foo(*) -> ()", 5, "keyword-only arguments"],
  ["foo(*, *, int x) -> ()", 7, "a type"],
  ["foo(int x=) -> ()", 10, "a default value"],
  ["foo(int x=-) -> ()", 10, "a default value"],
  ["foo(bool b=true) -> ()", 11, "a default value"],
  ["foo(str s='abc) -> ()", 21, "a closing '"],
  ["foo(int[] x=[1, 'a']) -> ()", 16, "a list element of type int"],
  ["foo(int[] x=[None]) -> ()", 13, "a list element of type int"],
  ["foo(int[] x=[1 2]) -> ()", 15, "\",\" or \"]\""],
  ["foo(int x=[1]) -> ()", 10, "a default of type int"],
  ["foo(int x=1.5) -> ()", 10, "a default of type int"],
  ["foo(int x=99999999999999999999) -> ()", 10, "an integer between"],
  ["foo(float x=1e999) -> ()", 12, "a finite float"],
  ["foo(str? s=None, int y) -> ()", 22, "a default for \"y\""],
  ["foo(Tensor x) -> int(a)", 20, "alias annotations are for Tensor"],
  ["foo(Tensor x) -> (Tensor a, Tensor a)", 35, "a unique return name"],
  ["foo(Tensor x) => Tensor", 14, "\"->\""],
  ["foo(Tensor x) - > Tensor", 14, "\"->\""],
  ["foo(Tensor x) -> Tensor[2]", 24, "\"]\""],
  ["foo(Tensor x) -> (Tensor a=1)", 26, "\",\" or \")\""],
  // The example in the original design notes puts `Tensor[] tiles` after `int? root=None`; PyTorch rejects that.
  [
    "name.overload(Tensor(a!) input, str reduce_op, str group_name, int? root=None, Tensor[] tiles) -> Tensor(a!)",
    93,
    "a default for \"tiles\"",
  ],
];

describe("parseSchema rejects malformed schemas", () => {
  it.each(MALFORMED)("%j fails at position %i", (text, position, expected) => {
    let error: unknown;
    try {
      parseSchema(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaError);
    const e = error as SchemaError;
    expect(e.position).toBe(position);
    expect(e.schema).toBe(text);
    expect(e.message).toMatch(new RegExp(`^expected .+ at position ${position}, found .+ \\(in schema .*\\)$`, "s"));
    expect(e.message).toContain(expected);
  });

  it("says what it found", () => {
    expect(() => parseSchema("foo(Tensr x) -> Tensor")).toThrow(/found "Tensr"/);
    expect(() => parseSchema("foo")).toThrow(/found end of input/);
    expect(() => parseSchema("foo(int x='a') -> ()")).toThrow(/found str 'a'/);
    expect(() => parseSchema("foo(Tensor x, Tensor x) -> ()")).toThrow(/found "x" again/);
  });

  it("tests at least 30 malformed schemas", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);
  });
});
