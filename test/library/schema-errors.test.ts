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
  ["foo(int(a x) -> ()", 10, "\"|\", \"->\", \"!\" or \")\""],
  ["foo(Tensor(a|) x) -> ()", 13, "an alias set name"],
  ["foo(Tensor(a ->) x) -> ()", 15, "an alias set name"],
  ["foo(Tensor(a! -> b x) -> ()", 19, "\"|\" or \")\""],
  ["foo(int x='a') -> ()", 10, "a default of type int"],
  ["foo(Tensor t=3) -> ()", 13, "a default of type Tensor"],
  ["foo(Tensor[] t=None) -> ()", 15, "a default of type Tensor[]"],
  ["foo(float f=None) -> ()", 12, "a default of type float"],
  ["foo(Tensor x) -> Tensor junk more", 29, "end of schema"],
  ["foo(Tensor x) -> ()()", 19, "end of schema"],
  ["foo(Tensor x,) -> ()", 13, "a type"],
  ["foo(Tensor x) -> (Tensor", 24, "\",\" or \")\""],
  ["ns::(Tensor x) -> ()", 4, "an operator name"],
  ["ns::foo.(Tensor x) -> ()", 8, "an overload name"],
  ["foo:bar(Tensor x) -> ()", 3, "\"(\""],
  ["foo(Tensor(a x) -> ()", 13, "\"!\" or \")\""],
  ["foo(Tensor() x) -> ()", 11, "an alias set name"],
  ["foo(Tensor(a!)! x) -> ()", 14, "an argument name"],
  ["foo(int[x] x) -> ()", 8, "\"]\" or a list size"],
  ["foo(int[2 x) -> ()", 10, "\"]\""],
  ["foo(Tensor?[]!! x) -> ()", 14, "an argument name"],
  ["foo(...) -> ... x", 16, "end of schema"],
  ["foo(..., int x) -> ()", 9, "must be the last element of the argument list"],
  ["foo(int x=1, ...) -> ()", 13, "can't have default value args"],
  ["foo(Tensor x) -> (..., Tensor)", 23, "must be the last element of the return list"],
  ["foo(double x) -> ()", 4, "use `float` instead of `double`"],
  ["foo(int64_t x) -> ()", 4, "instead of `int64_t`"],
  ["foo(__torch__.torch.klasses.ns.C x) -> ()", 20, "classes"],
  ["foo(__torch__.torch.classes.ns x) -> ()", 31, "\".\" and a class name"],
  ["foo(Dict(str) x) -> ()", 12, "2 types"],
  ["foo(Dict(str, int, int) x) -> ()", 9, "2 types in Dict"],
  ["foo(Future x) -> ()", 11, "\"(\" after Future"],
  ["foo(Union() x) -> ()", 10, "a type"],
  ["foo(complex c=1) -> ()", 14, "a default of type complex"],
  ["foo(ScalarType s=long2) -> ()", 17, "a default value"],
  ["foo(Layout l=float) -> ()", 13, "a default of type Layout"],
  ["foo(Generator g=1) -> ()", 16, "a default of type Generator"],
  ["foo(Any a=1) -> ()", 10, "a default of type Any"],
  ["foo(int[] x=2) -> ()", 12, "a default of type int[]"],
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
  ["foo(Tensor x) -> int(a", 22, "\"|\", \"->\", \"!\" or \")\""],
  ["foo(Tensor x) -> (Tensor a, Tensor a)", 35, "a unique return name"],
  ["foo(Tensor x) => Tensor", 14, "\"->\""],
  ["foo(Tensor x) - > Tensor", 14, "\"->\""],
  ["foo(Tensor x) -> Tensor[2", 25, "\"]\""],
  ["foo(Tensor x) -> (Tensor a=1)", 26, "\",\" or \")\""],
  // PyTorch's checkSchema lets a list without a default follow a default (it once serialized
  // broadcasting lists so), but not any other positional argument.
  [
    "name.overload(Tensor(a!) input, str reduce_op, str group_name, int? root=None, Tensor[] tiles, int k) -> Tensor(a!)",
    100,
    "a default for \"k\"",
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
