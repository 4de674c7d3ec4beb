// What the benchmark drivers (scripts/bench.mjs, scripts/bench-tp-mlp.mjs) share: tsx registered (they
// import the TypeScript sources), the repository root and version, a private XDG_RUNTIME_DIR (Mesa
// complains on every device creation without one), line writers, writing a JSON outcome, and
// running a Deno entry point with the same arguments.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version ?? "unknown";
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), "xdg-"));

export const out = (line) => process.stdout.write(`${line}\n`);
export const err = (line) => process.stderr.write(`${line}\n`);

/** Writes `json` to `path` (relative to the working directory) when both are there. */
export function writeJson(json, path) {
  if (json === undefined || path === undefined) return;
  writeFileSync(resolve(process.cwd(), path), json);
  err(`# wrote ${path}`);
}

/** `npx deno run -A <root>/<script> ...argv`, its output inherited; resolves to its exit code. */
export function runDenoScript(script, argv) {
  const child = spawn("npx", ["deno", "run", "-A", join(root, script), ...argv], { stdio: "inherit" });
  return new Promise((res) => child.on("exit", (c, signal) => res(c ?? (signal ? 128 : 1))));
}
