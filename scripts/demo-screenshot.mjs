#!/usr/bin/env node
// Regenerates the README's screenshot of the demo (docs/demo.png) from the e2e run: runs the
// "tour" test of e2e/demo.spec.ts (project "dev": the dev server, Debian's Chromium with
// SwiftShader WebGPU, a 1280-px-wide window, 4 ranks; an op, the heap map's two-shot, a short
// benchmark, training and the particles, each verified on the page), which saves the full page to
// test-results/demo-tour-dev.png, and copies that file to docs/demo.png — only when the test
// passed, so the README never shows a page with a missing or broken panel.
// The image is the very page the test checked; driving Playwright here as well would be a second
// copy of the launch-and-wait logic to keep in step with the spec.
//
//   node scripts/demo-screenshot.mjs        (then commit docs/demo.png)
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const shot = join(root, "test-results", "demo-tour-dev.png");
const target = join(root, "docs", "demo.png");

rmSync(shot, { force: true });
const run = spawnSync("npx", ["playwright", "test", "e2e/demo.spec.ts", "--project", "dev", "-g", "a tour"], {
  cwd: root, stdio: "inherit",
});
if (run.status !== 0) {
  console.error(`demo-screenshot: the e2e test failed (exit ${run.status ?? run.signal}); docs/demo.png left as it was`);
  process.exit(1);
}
if (!existsSync(shot)) {
  console.error(`demo-screenshot: the test passed but wrote no ${shot}; docs/demo.png left as it was`);
  process.exit(1);
}
copyFileSync(shot, target);
const png = readFileSync(target);
console.log(`demo-screenshot: docs/demo.png updated (${png.readUInt32BE(16)}×${png.readUInt32BE(20)} px, ${Math.round(png.length / 1024)} KiB)`);
