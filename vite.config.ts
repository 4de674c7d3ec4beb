import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig, type Plugin } from "vite";

// SharedArrayBuffer needs cross-origin isolation, on the dev server and on the preview server.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

// WEBSHMEM_E2E_BUILD=1: the build the Playwright project "built" tests (playwright.config.ts):
// the demo and the e2e harness page (e2e/harness.html, with the test scenarios and rank workers
// it lists) in .e2e-dist/. Otherwise the demo alone in demo-dist/ (`npm run build:demo`, then
// `npm run preview`); the harness never ships there.
const e2e = process.env.WEBSHMEM_E2E_BUILD === "1";
// WEBSHMEM_E2E_DEV=1: the dev server of the Playwright project "dev", with no HMR and no file
// watching, so that an edit anywhere in the tree during a run cannot reload a page mid-test (the
// chromium bench's dev server, scripts/bench.mjs, does the same).
const frozen = process.env.WEBSHMEM_E2E_DEV === "1" ? { hmr: false, watch: null } : {};

// Static hosts (GitHub Pages and the like) cannot send those headers. The built demo therefore
// ships coi-serviceworker: a classic script in <head> (it runs before the demo's module), that on a page which is not
// cross-origin isolated registers itself as a service worker adding COOP/COEP to every response
// and reloads the page once; where the server already sends the headers (crossOriginIsolated is
// true) it returns without registering anything. A plugin rather than a copy in public/: the file
// comes straight from node_modules (the pinned devDependency, nothing to keep in sync), only builds
// get it (the dev server sends the headers), and only the demo page loads it (not e2e/harness.html).
// It keeps its name, next to index.html: its URL is the service worker's, whose scope is that folder.
function coiServiceWorker(): Plugin {
  const fileName = "coi-serviceworker.js";
  return {
    name: "webshmem-demo-coi-serviceworker",
    apply: "build",
    generateBundle() {
      const source = readFileSync(createRequire(import.meta.url).resolve("coi-serviceworker/coi-serviceworker.min.js"));
      this.emitFile({ type: "asset", fileName, source });
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        if (!/(^|\/)index\.html$/.test(ctx.path) || ctx.path.includes("e2e/")) return;
        return [{ tag: "script", attrs: { src: `./${fileName}` }, injectTo: "head" }];
      },
    },
  };
}

export default defineConfig({
  plugins: [coiServiceWorker()],
  server: { port: 5173, headers: isolation, ...frozen },
  preview: { port: 4173, headers: isolation },
  worker: { format: "es" },
  optimizeDeps: { include: ["comlink", "wgpu-matrix"] },
  build: {
    target: "es2022",
    outDir: e2e ? ".e2e-dist" : "demo-dist",
    emptyOutDir: true,
    rollupOptions: {
      // The e2e build also carries the benchmark pages (e2e/bench-pages.spec.ts runs them as built).
      input: e2e
        ? { demo: "index.html", harness: "e2e/harness.html", bench: "bench/page.html", tpmlp: "bench/tp-mlp.html" }
        : { demo: "index.html" },
    },
  },
});
