/**
 * The import rules of .dependency-cruiser.cjs (the "dependency check" step of `npm test`) fire:
 * a fixture tree that breaks each of them reports exactly the expected rule, from and to, and a
 * tree that keeps them (exceptions included) reports nothing. Without this a rule whose paths
 * match nothing, or a resolver that drops the `.ts` imports, would pass silently.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const config = join(repo, ".dependency-cruiser.cjs");
const tsconfig = join(repo, "tsconfig.json");

/** The layers of the config, bottom to top, then bench. */
const LAYERS = ["wasm", "core", "heap", "library", "backends", "ops", "dispatch", "plan", "api", "rank", "launch", "bench"];

type Tree = Record<string, string>;

/** Writes `files` (paths relative to the root, e.g. "src/a.ts") under a fresh temporary root. */
function writeTree(name: string, files: Tree): string {
  const root = mkdtempSync(join(tmpdir(), `webshmem-deps-${name}-`));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A module importing `imports` (relative specifiers with `.ts`), exporting one value. */
const mod = (...imports: string[]) =>
  imports.map((s, i) => `import { v as v${i} } from "${s}";\n`).join("") +
  `export const v = ${imports.length === 0 ? "1" : imports.map((_, i) => `v${i}`).join(" + ")};\n`;

/** Cruises `root`/src with the repository's rules and tsconfig, as `npm test` does. */
async function cruiseTree(root: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(config);
  const result = await cruise(
    ["src"],
    { ...options, baseDir: root, tsConfig: { fileName: tsconfig } },
    {},
    { tsConfig: extractTSConfig(tsconfig) },
  );
  return result.output as ICruiseResult;
}

/**
 * "rule: from -> to" for each violation, sorted. A circle is reported once, from whichever of
 * its files the cruise reached first: it reads "no-circular: cycle" and its files, sorted.
 */
async function violations(root: string): Promise<string[]> {
  const result = await cruiseTree(root);
  return result.summary.violations
    .map((v) => {
      if (!v.cycle) return `${v.rule.name}: ${v.from} -> ${v.to}`;
      const files = [...new Set([v.from, ...v.cycle.map((c) => c.name)])].sort();
      return `${v.rule.name}: cycle ${files.join(", ")}`;
    })
    .sort();
}

/** The edges the cruise found (so a rule test cannot pass on a tree it did not read). */
async function edges(root: string): Promise<string[]> {
  const result = await cruiseTree(root);
  return result.modules
    .flatMap((m) =>
      m.dependencies.map((d) =>
        `${m.source} -> ${d.couldNotResolve ? `UNRESOLVED ${d.module}` : d.resolved}` +
        (d.dependencyTypes.includes("type-only") ? " (type-only)" : ""),
      ),
    )
    .sort();
}

// ---- The tree that breaks every rule --------------------------------------------------------

const broken: Tree = {
  // (a) A circle a -> b -> a; a's half is a type-only import, so the circle exists only with
  // tsPreCompilationDeps.
  "src/a.ts": `import type { B } from "./b.ts";\nexport interface A { b?: B }\nexport const a = 1;\n`,
  "src/b.ts": `import { a } from "./a.ts";\nexport interface B { n: number }\nexport const b = a + 1;\n`,
  // A circle of type-only imports alone, which a rule that skipped type-only edges would miss.
  "src/c.ts": `import type { D } from "./d.ts";\nexport interface C { d?: D }\n`,
  "src/d.ts": `import type { C } from "./c.ts";\nexport interface D { c?: C }\n`,
  // (b) An op naming a concrete backend; and one backend importing the other.
  "src/backends/cpu/x.ts": mod(),
  "src/backends/cpu/y.ts": mod("./x.ts"), // same backend folder: allowed
  "src/backends/webgpu/w.ts": mod("../cpu/x.ts"),
  "src/ops/k.ts": mod("../backends/cpu/x.ts"),
  "src/launch/boot.ts": mod("../backends/webgpu/w.ts"), // the launcher is no composition root
  // (c) The benchmark reaching past the public entry (index.ts and its own files are fine).
  "src/index.ts": mod("./rank/r.ts", "./backends/cpu/x.ts"),
  "src/bench/c.ts": mod(),
  "src/bench/b.ts": mod("../heap/h.ts", "../index.ts", "./c.ts"),
  // (d) The heap importing the rank: a layer and nothing-imports-rank at once.
  "src/rank/r.ts": mod("../backends/cpu/x.ts"), // the composition root: allowed
  "src/heap/h.ts": mod("../rank/r.ts"),
  // The dispatcher naming an op (the layers alone would allow it: ops is below dispatch).
  "src/dispatch/d.ts": mod("../ops/k.ts"),
  // Every layer importing the one just above it ("lo" files, so none of (a)-(d) is touched).
  ...Object.fromEntries(
    LAYERS.slice(0, -1).flatMap((layer, i) => [
      [`src/${layer}/lo.ts`, mod(`../${LAYERS[i + 1]}/top.ts`)],
      [`src/${LAYERS[i + 1]}/top.ts`, mod()],
    ]),
  ),
};

const expectedBroken = [
  "no-circular: cycle src/a.ts, src/b.ts",
  "no-circular: cycle src/c.ts, src/d.ts",
  "no-concrete-backend-imports: src/ops/k.ts -> src/backends/cpu/x.ts",
  "no-concrete-backend-imports: src/backends/webgpu/w.ts -> src/backends/cpu/x.ts",
  "no-concrete-backend-imports: src/launch/boot.ts -> src/backends/webgpu/w.ts",
  "bench-public-only: src/bench/b.ts -> src/heap/h.ts",
  "heap-is-low: src/heap/h.ts -> src/rank/r.ts",
  "nothing-imports-rank: src/heap/h.ts -> src/rank/r.ts",
  "dispatch-knows-no-op: src/dispatch/d.ts -> src/ops/k.ts",
  "wasm-is-low: src/wasm/lo.ts -> src/core/top.ts",
  "core-is-low: src/core/lo.ts -> src/heap/top.ts",
  "heap-is-low: src/heap/lo.ts -> src/library/top.ts",
  "library-is-low: src/library/lo.ts -> src/backends/top.ts",
  "backends-are-low: src/backends/lo.ts -> src/ops/top.ts",
  "ops-are-low: src/ops/lo.ts -> src/dispatch/top.ts",
  "dispatch-is-low: src/dispatch/lo.ts -> src/plan/top.ts",
  "plan-is-low: src/plan/lo.ts -> src/api/top.ts",
  "api-is-low: src/api/lo.ts -> src/rank/top.ts",
  "nothing-imports-rank: src/api/lo.ts -> src/rank/top.ts",
  "rank-is-low: src/rank/lo.ts -> src/launch/top.ts",
  "launch-is-low: src/launch/lo.ts -> src/bench/top.ts",
].sort();

// ---- The tree that keeps every rule, exceptions included ------------------------------------

const clean: Tree = {
  // Each layer importing the one below it, by value and type-only.
  ...Object.fromEntries(
    LAYERS.slice(1).flatMap((layer, i) => [
      [`src/${layer}/down.ts`, `import type { T } from "../${LAYERS[i]}/base.ts";\n` + mod(`../${LAYERS[i]}/base.ts`) +
        `export type U = T;\n`],
      [`src/${LAYERS[i]}/base.ts`, `export type T = number;\n` + mod()],
    ]),
  ),
  // The dispatcher uses what is below it, but not ops (dispatch-knows-no-op).
  "src/dispatch/down.ts": mod("../backends/base.ts"),
  // bench may use the entries and itself: replace its ladder file with one that does.
  "src/bench/down.ts": mod("../index.ts", "../internal.ts", "./base.ts"),
  "src/bench/base.ts": mod(),
  // The entries may import anything, concrete backends and the rank included.
  "src/index.ts": mod("./rank/base.ts", "./backends/cpu/x.ts", "./heap/base.ts"),
  "src/internal.ts": mod("./backends/webgpu/w.ts", "./dispatch/base.ts"),
  // Concrete backends: their own folder, and the composition root.
  "src/backends/cpu/x.ts": mod(),
  "src/backends/cpu/y.ts": mod("./x.ts", "../base.ts"),
  "src/backends/webgpu/w.ts": mod("./v.ts", "../../core/base.ts"),
  "src/backends/webgpu/v.ts": mod(),
  "src/rank/compose.ts": mod("../backends/cpu/x.ts", "../backends/webgpu/w.ts"),
  // The launcher importing the rank; core importing wasm.
  "src/launch/start.ts": mod("../rank/compose.ts"),
  "src/core/kernels.ts": mod("../wasm/base.ts"),
};

describe("dependency rules (.dependency-cruiser.cjs)", () => {
  let brokenRoot: string;
  let cleanRoot: string;

  beforeAll(() => {
    brokenRoot = writeTree("broken", broken);
    cleanRoot = writeTree("clean", clean);
  });
  afterAll(() => {
    rmSync(brokenRoot, { recursive: true, force: true });
    rmSync(cleanRoot, { recursive: true, force: true });
  });

  it("reads the fixture's .ts imports, type-only ones included", async () => {
    const found = await edges(brokenRoot);
    expect(found).toContain("src/a.ts -> src/b.ts (type-only)");
    expect(found).toContain("src/b.ts -> src/a.ts");
    expect(found).toContain("src/heap/h.ts -> src/rank/r.ts");
    expect(found.filter((e) => e.includes("UNRESOLVED"))).toEqual([]);
    const cleanEdges = await edges(cleanRoot);
    expect(cleanEdges).toContain("src/rank/compose.ts -> src/backends/webgpu/w.ts");
    expect(cleanEdges).toContain("src/heap/down.ts -> src/core/base.ts (type-only)");
    expect(cleanEdges.filter((e) => e.includes("UNRESOLVED"))).toEqual([]);
  });

  it("reports each broken rule with its from and to, and nothing else", async () => {
    expect(await violations(brokenRoot)).toEqual(expectedBroken);
  });

  it("reports nothing on a tree that keeps the rules and uses their exceptions", async () => {
    expect(await violations(cleanRoot)).toEqual([]);
  });

  it("the CLI `npm test` runs exits non-zero on the broken tree and zero on the clean one", () => {
    const bin = join(repo, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
    const run = (root: string) => {
      // The config names tsconfig.json relative to where depcruise runs: give the fixture one.
      writeFileSync(join(root, "tsconfig.json"), JSON.stringify({
        compilerOptions: { module: "ESNext", moduleResolution: "Bundler", allowImportingTsExtensions: true, noEmit: true },
      }));
      return spawnSync(process.execPath, [bin, "src", "--config", config, "--output-type", "err-long"], {
        cwd: root,
        encoding: "utf8",
      });
    };
    const bad = run(brokenRoot);
    expect(bad.status, bad.stderr).not.toBe(0);
    expect(bad.stdout).toMatch(/error no-circular: src\/[ab]\.ts →/);
    expect(bad.stdout).toContain(`${expectedBroken.length} dependency violations`);
    const good = run(cleanRoot);
    expect(good.status, good.stdout + good.stderr).toBe(0);
  });
});
