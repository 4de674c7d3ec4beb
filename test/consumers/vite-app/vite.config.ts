import { defineConfig } from "vite";

// SharedArrayBuffer needs cross-origin isolation: on the dev server and on the preview server.
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  server: { headers },
  preview: { headers },
});
