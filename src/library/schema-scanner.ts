/**
 * A cursor over schema text for the recursive-descent parser. Every failure goes through `fail`,
 * so every SchemaError reads "expected <X> at position <N>, found <Y>" with a 0-based position.
 */
import { SchemaError } from "../core/errors.ts";

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s*/y;

export class SchemaScanner {
  pos = 0;

  constructor(readonly text: string) {}

  skipWs(): number {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
    return this.pos;
  }

  atEnd(): boolean {
    return this.skipWs() >= this.text.length;
  }

  /** True, and consumes `token`, when it comes next after whitespace. */
  eat(token: string): boolean {
    this.skipWs();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string, what = JSON.stringify(token)): void {
    if (!this.eat(token)) this.fail(what);
  }

  /** The identifier that comes next, or undefined (consuming nothing). */
  tryIdent(): string | undefined {
    this.skipWs();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    if (m === null) return undefined;
    this.pos = IDENT.lastIndex;
    return m[0];
  }

  ident(what: string): string {
    const id = this.tryIdent();
    if (id === undefined) this.fail(what);
    return id;
  }

  fail(expected: string, at = this.skipWs(), found = this.describeAt(at)): never {
    throw new SchemaError(
      `expected ${expected} at position ${at}, found ${found} (in schema ${JSON.stringify(this.text)})`,
      this.text,
      at,
    );
  }

  /** What stands at `at`: a whole identifier or number when one starts there, else one character. */
  describeAt(at: number): string {
    if (at >= this.text.length) return "end of input";
    const token = /[A-Za-z0-9_]+/y;
    token.lastIndex = at;
    const m = token.exec(this.text);
    return JSON.stringify(m === null ? String.fromCodePoint(this.text.codePointAt(at) ?? 0) : m[0]);
  }
}
