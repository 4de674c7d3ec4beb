// The package build (`npm run build:lib`, part of `npm run build`): tsdown, which bundles with
// Rolldown and writes bundled declarations with rolldown-plugin-dts. Chosen over tsup (esbuild
// cannot bundle .d.ts files itself and tsup's own d.ts step is slower and unmaintained in parts)
// and over Vite library mode (it needs a separate declaration plugin and is built around a single
// browser bundle). Entries: the public API, the unstable internal entry, `webshmem/worker`
// (serveRanks, for rank workers that applications build) and the library's own rank worker.
import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

/**
 * The library's rank worker paths in src/launch/spawn.ts point at the TypeScript sources; in the
 * package they must point at the built worker, which tsdown emits next to every chunk (dist/).
 * Written by hand because it is two string literals of our own, and the build fails if they are
 * not found, so the package can never ship a worker path into src/.
 */
const WORKER_PATHS: Record<string, string> = {
  '"../rank-worker.ts"': '"./rank-worker.js"',
  '"./node-rank-worker.mjs"': '"./rank-worker.js"',
};

function builtWorkerPaths() {
  return {
    name: "webshmem:built-worker-paths",
    transform(code: string, id: string) {
      if (!id.replaceAll("\\", "/").endsWith("/src/launch/spawn.ts")) return null;
      let out = code;
      for (const [from, to] of Object.entries(WORKER_PATHS)) {
        if (!out.includes(from)) throw new Error(`tsdown.config.ts: ${from} not found in src/launch/spawn.ts; update WORKER_PATHS`);
        out = out.replaceAll(from, to);
      }
      return { code: out, map: null };
    },
  };
}

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies?: Record<string, string> };

export default defineConfig({
  entry: {
    index: "src/index.ts",
    internal: "src/internal.ts",
    worker: "src/worker.ts",
    "rank-worker": "src/rank-worker.ts",
  },
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  hash: false,
  // Shared chunks beside the entries (the rank worker path is relative to them), named apart from the entries.
  outputOptions: { chunkFileNames: "chunk-[name].js" },
  tsconfig: "tsconfig.build.json",
  // No declaration maps: they would point into src/, which the package does not ship.
  dts: true,
  deps: { neverBundle: [...Object.keys(pkg.dependencies ?? {}), /^node:/] },
  plugins: [builtWorkerPaths()],
});
