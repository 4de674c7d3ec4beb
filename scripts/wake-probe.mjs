#!/usr/bin/env node
// The wake-up probe (test/perf/wake-probe.ts) in Debian's Chromium: opens bench/wake-probe.html on
// a Vite dev server (scripts/lib/chromium-page.mjs) and prints its lines.
//   node scripts/wake-probe.mjs [--workers 16] [--rounds 50]
import { err, out, root } from "./lib/bench-env.mjs";
import { runInChromium } from "./lib/chromium-page.mjs";

const argv = process.argv.slice(2);
const code = await runInChromium({
  root, pagePath: "/bench/wake-probe.html", out, err,
  run: (page) => page.evaluate((argv) => globalThis.__runWakeProbe(argv), argv),
});
process.exit(code);
