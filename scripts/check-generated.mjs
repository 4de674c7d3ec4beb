#!/usr/bin/env node
// Fails when a generated source is stale: regenerates in memory and compares with the file on
// disk. Usage: node scripts/check-generated.mjs [root]   (root defaults to the repository)
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GENERATED_PATH, readShaderFiles, renderShadersModule, repoRoot } from "./gen-shaders.mjs";

const root = resolve(process.argv[2] ?? repoRoot);
const path = join(root, GENERATED_PATH);
const want = renderShadersModule(readShaderFiles(root));
const have = existsSync(path) ? readFileSync(path, "utf8") : undefined;
if (have !== want) {
  const why = have === undefined ? "is missing" : "is stale (shaders/*.wgsl changed since it was generated)";
  console.error(`check-generated: ${GENERATED_PATH} ${why}: run node scripts/gen-shaders.mjs`);
  process.exit(1);
}
console.log(`check-generated: ${GENERATED_PATH} is up to date`);
await (await import("./gen-wasm.mjs")).checkGenerated(root);
