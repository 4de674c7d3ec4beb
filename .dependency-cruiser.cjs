// dependency-cruiser rules for src/: what may import what. `npm test` runs
//   npx depcruise src --config .dependency-cruiser.cjs --output-type err-long
// (also `npm run deps`); test/deps/dependency-rules.test.ts proves that every rule fires on a
// fixture tree that breaks it, so the check cannot pass by matching nothing.
//
// Paths are relative to the directory depcruise runs in (the repository root), with `/`.
// Folders a rule names that do not exist (yet) simply match nothing.
//
// Layers, bottom to top: wasm (now src/core/wasm/, part of core) < core < heap < library < backends < ops < dispatch < plan < api < rank
// < launch (< bench, which sees only the public entries). No folder imports one above it.
// The entries may import anything: src/index.ts (public), src/internal.ts (unstable), src/worker.ts
// (webshmem/worker: serveRanks) and src/rank-worker.ts (the library's own rank worker).
// Folders not listed here (e.g. src/types/) are outside the layering rules.

/** The layer folders, bottom to top; bench, which may import no layer, is last. */
const LAYERS = ["wasm", "core", "heap", "library", "backends", "ops", "dispatch", "plan", "api", "rank", "launch", "bench"];
/** `^src/(x|y|...)/`: every layer folder above `folder`. */
const above = (folder) => `^src/(${LAYERS.slice(LAYERS.indexOf(folder) + 1).join("|")})/`;

/** One layering rule: nothing in `folder` imports a folder above it. */
function layer(name, folder, why) {
  return {
    name,
    severity: "error",
    comment: `src/${folder}/ may not import a layer above it (${LAYERS.slice(LAYERS.indexOf(folder) + 1).join(", ")}): ${why}`,
    from: { path: `^src/${folder}/` },
    to: { path: above(folder) },
  };
}

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "An import circle makes module evaluation order depend on which file is loaded first " +
        "(a binding read before it is initialised) and ties the files of the circle " +
        "into one unit that cannot be moved, tested or layered apart. Type-only imports count " +
        "too: they are the same design coupling, only erased at run time.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-concrete-backend-imports",
      severity: "error",
      comment:
        "The cpu and webgpu backends are plugins behind the Backend interface " +
        "(src/backends/backend.ts, docs/backend-plugins.md): only the composition root " +
        "(src/rank/) and the backend's own folder may name a concrete backend, and neither " +
        "backend may import the other, so either can be left out of a bundle or replaced by " +
        "a third-party plugin.",
      // $1 in `to` is the backend folder the importing file lives in. For a file outside both
      // backends the group does not take part in the match, so `$1` is left as it is and
      // `^src/backends/$1/` (end of input, then "1") matches nothing: every concrete backend
      // is forbidden to it.
      from: {
        path: "^src/(?:backends/(cpu|webgpu)/)?",
        pathNot: "^src/(rank/|index\\.ts$|internal\\.ts$|worker\\.ts$|rank-worker\\.ts$)",
      },
      to: {
        path: "^src/backends/(cpu|webgpu)/",
        pathNot: "^src/backends/$1/",
      },
    },
    {
      name: "bench-public-only",
      severity: "error",
      comment:
        "The benchmark measures what a user gets: it may use only the public entry " +
        "(src/index.ts, src/worker.ts), the internal entry (src/internal.ts) and its own files, so it keeps " +
        "working when the internals are moved and measures nothing a user could not call.",
      from: { path: "^src/bench/" },
      to: {
        path: "^src/",
        pathNot: "^src/(index\\.ts$|internal\\.ts$|worker\\.ts$|bench/)",
      },
    },
    layer("wasm-is-low", "wasm", "the WebAssembly kernels are leaf code that core wraps (core may import wasm, not the other way round)."),
    layer("core-is-low", "core", "dtypes, errors, reduce math and the runtime probe are the vocabulary every layer shares; they depend on nothing but wasm."),
    layer("heap-is-low", "heap", "the symmetric heap, tensors and signal pads are memory and synchronisation only; they know no ops, backends or ranks."),
    layer("library-is-low", "library", "schemas, the op table and the symm-mem registry describe ops; they must not depend on how ops run or where."),
    layer("backends-are-low", "backends", "a backend provides storage and kernels for ops; it must not depend on the ops, the dispatcher or the rank that use it."),
    layer("ops-are-low", "ops", "op definitions and kernels are registered with the dispatcher, they do not call into it, the API or the rank."),
    layer("dispatch-is-low", "dispatch", "the dispatcher runs whatever is registered; it must not depend on the user-facing API, the rank or the launcher."),
    layer("plan-is-low", "plan", "the planner (trace, place, replay) runs ops through the dispatcher; the API and the rank use it, not the other way round."),
    layer("api-is-low", "api", "the user-facing collectives are built on the dispatcher; the rank composes them, not the other way round."),
    layer("rank-is-low", "rank", "the rank is the composition root inside a worker; the launcher (main thread) starts it, so the rank never imports the launcher."),
    layer("launch-is-low", "launch", "the launcher is library code; the benchmark is an application on top of the public API."),
    {
      name: "nothing-imports-rank",
      severity: "error",
      comment:
        "src/rank/ is the composition root: it wires heap, backends, ops and dispatcher into a " +
        "Rank. Only the launcher (which builds it in the worker) and the entries may import it; " +
        "anything else importing it would close a loop around the whole library.",
      from: {
        path: "^src/",
        pathNot: "^src/(rank/|launch/|index\\.ts$|internal\\.ts$|worker\\.ts$|rank-worker\\.ts$)",
      },
      to: { path: "^src/rank/" },
    },
    {
      name: "dispatch-knows-no-op",
      severity: "error",
      comment:
        "The dispatcher is generic: ops register themselves with it (through the library), so " +
        "it must not import a particular op; otherwise a new op means editing the dispatcher.",
      from: { path: "^src/dispatch/" },
      to: { path: "^src/ops/" },
    },
  ],
  options: {
    // Type-only imports (`import type`) are kept: they count for no-circular and the layers.
    tsPreCompilationDeps: true,
    // The sources import each other as "./a.ts" (allowImportingTsExtensions); the tsconfig's
    // compiler options are what the TypeScript extractor and the resolver use.
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "node", "default"],
      mainFields: ["module", "types", "main"],
      extensions: [".ts", ".d.ts", ".mjs", ".js"],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
