import { defineConfig } from "vite";

// SharedArrayBuffer needs cross-origin isolation, on the dev server and on the preview server.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { port: 5173, headers: isolation },
  preview: { port: 4173, headers: isolation },
  worker: { format: "es" },
  optimizeDeps: { include: ["comlink", "wgpu-matrix"] },
  build: {
    target: "es2022",
    rollupOptions: { input: { demo: "index.html" } },
  },
});
