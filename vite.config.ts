import { defineConfig } from "vite";

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

export default defineConfig({
  server: { port: 5173, headers: isolation, ...frozen },
  preview: { port: 4173, headers: isolation },
  worker: { format: "es" },
  optimizeDeps: { include: ["comlink", "wgpu-matrix"] },
  build: {
    target: "es2022",
    outDir: e2e ? ".e2e-dist" : "demo-dist",
    emptyOutDir: true,
    rollupOptions: { input: e2e ? { demo: "index.html", harness: "e2e/harness.html" } : { demo: "index.html" } },
  },
});
