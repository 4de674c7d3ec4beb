/**
 * Operator names: `ns::name` or `ns::name.overload`. PyTorch's "default" overload has the empty
 * name, so `ns::name.default` and `ns::name` are the same operator; the canonical key drops it.
 */

const QUALIFIED = /^([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;
const RELATIVE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;

export const DEFAULT_OVERLOAD = "default";

export interface OpName {
  readonly namespace: string;
  readonly name: string;
  /** "" for the default overload. */
  readonly overload: string;
}

/** Parses `ns::name[.overload]`; undefined when `text` is not of that form. */
export function parseOpName(text: string): OpName | undefined {
  const m = QUALIFIED.exec(text);
  if (m === null) return undefined;
  const overload = m[3] ?? "";
  return { namespace: m[1], name: m[2], overload: overload === DEFAULT_OVERLOAD ? "" : overload };
}

/**
 * Parses `name[.overload]` relative to `namespace`, or a qualified name whatever its namespace;
 * undefined when malformed. The caller decides whether another namespace is allowed.
 */
export function parseOpNameIn(text: string, namespace: string): OpName | undefined {
  if (text.includes("::")) return parseOpName(text);
  const m = RELATIVE.exec(text);
  if (m === null) return undefined;
  const overload = m[2] ?? "";
  return { namespace, name: m[1], overload: overload === DEFAULT_OVERLOAD ? "" : overload };
}

export function formatOpName(op: OpName): string {
  const base = `${op.namespace}::${op.name}`;
  return op.overload === "" ? base : `${base}.${op.overload}`;
}

/** The key an operator is stored under: `ns::name.default` becomes `ns::name`. */
export function canonicalOpName(text: string): string | undefined {
  const op = parseOpName(text);
  return op === undefined ? undefined : formatOpName(op);
}

/**
 * `canonicalOpName(text) ?? text`, cached by spelling: the dispatcher looks its op up (and the
 * registry its arguments) on every call, and parsing the name each time (a regular expression and
 * a string concatenation) cost ~0.2 µs of an 8-byte all-reduce's ~5 µs.
 */
export function opKey(text: string): string {
  let k = keys.get(text);
  if (k === undefined) {
    k = canonicalOpName(text) ?? text;
    if (keys.size < 10_000) keys.set(text, k);
  }
  return k;
}

const keys = new Map<string, string>();
