/** Which JavaScript runtime this code runs in, and what it may do there. */
export type RuntimeName = "chromium" | "deno" | "node";

declare const Deno: unknown;

/**
 * The runtime this code runs in: "deno" when a `Deno` global exists, "node" when
 * `process.versions.node` does, otherwise "chromium" (browsers).
 */
export function detectRuntime(): RuntimeName {
  if (typeof Deno !== "undefined") return "deno";
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node !== undefined) return "node";
  return "chromium";
}

/**
 * `Atomics.wait` throws on a browser's main thread; everywhere else (workers, Deno, Node) it may
 * block. A browser main thread is the only place with a `document`.
 */
export function canBlock(): boolean {
  return typeof (globalThis as { document?: unknown }).document === "undefined";
}
