import { defineConfig } from "@playwright/test";

// Every spec runs twice: project "dev" against the Vite dev server (sources transformed on
// request) and project "built" against a production build (`vite build` of the demo and the
// e2e harness into .e2e-dist/, served by `vite preview`), so the pages are tested as users ship them.
const DEV_PORT = Number(process.env.E2E_PORT ?? 5174);
const BUILT_PORT = Number(process.env.E2E_BUILT_PORT ?? DEV_PORT + 1);

// Debian's Chromium: Playwright cannot download a browser here. --enable-unsafe-webgpu gives
// SwiftShader's WebGPU adapter on machines without a GPU; the network flags keep Chromium from
// calling out of a closed network at start.
export const chromiumArgs = [
  "--enable-unsafe-webgpu",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export default defineConfig({
  testDir: "e2e",
  timeout: 180_000,
  workers: 1,
  reporter: process.env.E2E_JSON ? [["list"], ["json", { outputFile: process.env.E2E_JSON }]] : [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    },
  },
  projects: [
    { name: "dev", use: { baseURL: `http://localhost:${DEV_PORT}` } },
    { name: "built", use: { baseURL: `http://localhost:${BUILT_PORT}` } },
  ],
  webServer: [
    {
      // WEBSHMEM_E2E_DEV=1 (vite.config.ts): no HMR, no file watching, so no page reloads mid-test.
      command: `npx vite --port ${DEV_PORT} --strictPort`,
      env: { WEBSHMEM_E2E_DEV: "1" },
      url: `http://localhost:${DEV_PORT}/e2e/harness.html`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // WEBSHMEM_E2E_BUILD=1 (vite.config.ts): the demo, e2e/harness.html and the benchmark pages, built into .e2e-dist/.
      command: `npx vite build --logLevel warn && npx vite preview --port ${BUILT_PORT} --strictPort`,
      env: { WEBSHMEM_E2E_BUILD: "1" },
      url: `http://localhost:${BUILT_PORT}/e2e/harness.html`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
