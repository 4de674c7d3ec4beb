import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Makes sure dist/ holds the built package (`npm test` builds it before Vitest runs; a lone
 * `npx vitest` builds it here), for tests that run what a user of the package runs.
 */
export function ensureBuiltPackage(): void {
  if (existsSync("dist/index.js") && existsSync("dist/rank-worker.js")) return;
  const r = spawnSync("npx", ["tsdown"], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npx tsdown failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

/**
 * The environment for an example run as a user would: Mesa prints "XDG_RUNTIME_DIR is invalid" on
 * every device creation without a private runtime directory (npm test sets one; a lone Vitest may not).
 */
export function exampleEnv(): NodeJS.ProcessEnv {
  return { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), "xdg-")) };
}
