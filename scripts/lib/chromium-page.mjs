// Drives one of the benchmark pages (bench/*.html) in Debian's Chromium: a Vite dev server on a free
// port (no watching, no HMR: an edit in the tree during a long run must not reload the page),
// Playwright with the args of playwright.config.ts, the page's lines streamed to `out` / `err`
// through __benchWrite; `run(page)` calls the page's entry once it sets __benchReady.
import { join } from "node:path";
import { freePort } from "./free-port.mjs";

/** Opens `pagePath` (e.g. "/bench/page.html") and resolves to what `run(page)` resolves to. */
export async function runInChromium({ root, pagePath, out, err, run }) {
  const { createServer } = await import("vite");
  const { chromium } = await import("@playwright/test");
  const { chromiumArgs } = await import("../../playwright.config.ts");
  const port = await freePort();
  const server = await createServer({
    root, configFile: join(root, "vite.config.ts"), logLevel: "error", clearScreen: false,
    server: { port, strictPort: true, host: "127.0.0.1", hmr: false, watch: null },
  });
  let browser;
  try {
    await server.listen();
    // BENCH_CHROMIUM_ARGS: more switches for an experiment (e.g. "--js-flags=--no-concurrent-recompilation").
    const extra = (process.env.BENCH_CHROMIUM_ARGS ?? "").split(" ").filter((a) => a !== "");
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: [...chromiumArgs, ...extra] });
    const page = await browser.newPage();
    await page.exposeFunction("__benchWrite", (stream, line) => (stream === "out" ? out : err)(line));
    page.on("pageerror", (e) => err(`# page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("[vite]")) err(`# page console: ${m.text()}`);
    });
    await page.goto(`http://127.0.0.1:${port}${pagePath}`);
    await page.waitForFunction(() => globalThis.__benchReady === true, undefined, { timeout: 120_000 });
    return await run(page);
  } finally {
    await browser?.close();
    await server.close();
  }
}
