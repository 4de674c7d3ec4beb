/**
 * Checks for the values a user hands to a public entry (options objects, timeouts, counts): each
 * throws the caller's WebshmemError subclass with a message that names the call, the argument,
 * what was expected and what was found, so no `TypeError` from deep inside escapes instead.
 */
import type { WebshmemError } from "./errors.ts";

/** The error class an entry reports bad arguments with (SymmetricMemoryError, OpError, ...). */
export type ErrorClass = new (message: string) => WebshmemError;

/** `number 3`, `string "x"`, `null`, `array of length 2`, `plain object`, `object Float32Array`, ... */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  switch (typeof value) {
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "bigint":
      return `bigint ${value}n`;
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case "symbol":
      return String(value);
    case "function":
      return `function ${value.name || "(anonymous)"}`;
  }
  if (Array.isArray(value)) return `array of length ${value.length}`;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return "plain object";
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor !== "" ? `object ${ctor}` : "object";
}

/**
 * An options argument: `undefined` is `{}`; anything but a non-array object (null, a number, a
 * string, an array) is an error naming `what`.
 */
export function checkOptions<T extends object>(value: T | undefined, what: string, Err: ErrorClass): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Err(`${what}: options must be an object (or left out), found ${describeValue(value)}`);
  }
  return value;
}

/**
 * A `timeoutMs` option: undefined (not given) passes through; otherwise a number ≥ 0 (0 and
 * Infinity are allowed: no timeout), not NaN, not a numeric string.
 */
export function checkTimeout(value: unknown, what: string, Err: ErrorClass): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new Err(`${what}: timeoutMs must be a non-negative number of milliseconds, found ${quote(value)}`);
  }
  return value;
}

/**
 * A value for a message: a number as it is (`-2`), a string quoted as JSON (`"sum"`), anything
 * else described (never throws, unlike JSON.stringify of a BigInt or a circular object).
 */
export function quote(value: unknown): string {
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? JSON.stringify(value) : describeValue(value);
}
