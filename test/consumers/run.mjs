#!/usr/bin/env node
// The consumer tests: the package as a user gets it. Builds it (tsdown), packs it (npm pack),
// lints the tarball (publint, @arethetypeswrong/cli), then installs the tarball into temporary
// projects made from the templates beside this file and runs each as its user would:
//   node-app  plain `node app.mjs` (no tsx, no loader): 4 ranks on the cpu backend;
//   node-ts-app `node --import tsx app.ts`: TypeScript through the user's own loader;
//   deno-app  `deno run -A main.ts`, "webshmem" from node_modules: 4 ranks on WebGPU (lavapipe);
//   vite-app  strict TypeScript (`tsc`, skipLibCheck false), the Vite dev server and a production
//             build (`vite build` + `vite preview`), each opened in Chromium: 4 WebGPU ranks.
// Every check is a test case in a JUnit report (--junit FILE) that `npm test` counts.
//
//   node test/consumers/run.mjs [--junit FILE] [--only tarball,node,deno,vite] [--keep]
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../scripts/lib/free-port.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag("--only")?.split(",");
const junit = flag("--junit");
const keep = args.includes("--keep");
const bin = (name) => join(repo, "node_modules", ".bin", name);
// Mesa complains on every device creation unless this points at a private directory.
const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), "xdg-")) };

const cases = [];
const work = mkdtempSync(join(tmpdir(), "webshmem-consumers-"));

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: "utf8", env, maxBuffer: 64 << 20, timeout: 300_000, ...opts });
  return { status: r.status, signal: r.signal, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, error: r.error };
}

function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.out.slice(-4000)}`);
  return r.out;
}

async function check(name, body) {
  const t0 = Date.now();
  process.stdout.write(`  ${name} … `);
  try {
    const detail = await body();
    const s = (Date.now() - t0) / 1000;
    console.log(`ok (${s.toFixed(1)} s)${detail ? `: ${detail}` : ""}`);
    cases.push({ name, s });
  } catch (e) {
    const s = (Date.now() - t0) / 1000;
    console.log(`FAILED (${s.toFixed(1)} s)\n${String(e?.stack ?? e).replace(/^/gm, "      ")}`);
    cases.push({ name, s, failure: String(e?.message ?? e) });
  }
}

const want = (part) => only === undefined || only.includes(part);

/**
 * Where each template gets the one `ranks.ts` (test/consumers/ranks.ts, the README's rank
 * functions) that the TypeScript apps share.
 */
const SHARED_RANKS = { "deno-app": "ranks.ts", "node-ts-app": "ranks.ts", "vite-app": "src/ranks.ts" };

/** A temporary project from template `name`, with the tarball installed by npm and `tools` linked from the repository. */
function project(name, tarball, tools = []) {
  const dir = join(work, name);
  cpSync(join(here, name), dir, { recursive: true });
  if (SHARED_RANKS[name] !== undefined) cpSync(join(here, "ranks.ts"), join(dir, SHARED_RANKS[name]));
  must(sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock", tarball], { cwd: dir }),
    `npm install of the tarball in ${name}`);
  // Build tools the test needs but the user would install themselves: linked after npm install,
  // which would otherwise prune them.
  for (const t of tools) {
    const to = join(dir, "node_modules", t);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(join(repo, "node_modules", t), to);
  }
  return dir;
}

/** Starts `argv` in `cwd` and resolves once `url` answers; returns a stop function. */
async function serve(cwd, argv, url) {
  const child = spawn(process.execPath, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log.slice(-3000)}`);
    try {
      const r = await fetch(url);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      stop();
      throw new Error(`server did not answer at ${url} within 60 s:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { stop, log: () => log };
}

let browser;
async function openAndRead(url) {
  if (browser === undefined) {
    const { chromium } = await import("@playwright/test");
    // The flags of playwright.config.ts: SwiftShader's WebGPU, and no calls out of a closed network.
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--enable-unsafe-webgpu", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
  }
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error(`${url} is not cross-origin isolated`);
    const result = page.locator("#result");
    await result.filter({ hasNotText: "running…" }).waitFor({ timeout: 120_000 });
    const text = await result.textContent();
    if (!text?.startsWith("verified")) throw new Error(`the page says: ${text}${errors.length ? `\npage errors: ${errors.join("\n")}` : ""}`);
    return text;
  } finally {
    await page.close();
  }
}

/** Runs `argv`; Deno 2.9 with lavapipe devices sometimes crashes at exit after its work is done (scripts/test-all.mjs): retried twice. */
function runVerified(cmd, argv, cwd) {
  let r;
  for (let attempt = 0; attempt < 3; attempt++) {
    r = sh(cmd, argv, { cwd, timeout: 180_000 });
    const crashedAfter = /verified:/.test(r.out) && !/NOT verified/.test(r.out) && (["SIGABRT", "SIGSEGV"].includes(r.signal) || [134, 139].includes(r.status));
    if (!crashedAfter) break;
    console.log(`(crashed at exit with ${r.signal ?? r.status} after printing verified; again) `);
  }
  const line = r.out.split("\n").find((l) => /verified/.test(l));
  if (r.status !== 0 || line === undefined || !line.startsWith("verified")) {
    throw new Error(`exit ${r.status ?? r.signal}:\n${r.out.slice(-4000)}`);
  }
  return line;
}

console.log(`consumer tests in ${work}`);
let tarball;
await check("npm run build:lib && npm pack give a tarball of dist/, README, LICENSE, CHANGELOG", () => {
  must(sh(bin("tsdown"), [], { cwd: repo }), "tsdown");
  const out = must(sh("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: repo }), "npm pack");
  const [info] = JSON.parse(out.slice(out.indexOf("[")));
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  const stray = files.filter((f) => !/^dist\/[^/]+\.(js|d\.ts|js\.map)$/.test(f) && !["README.md", "LICENSE", "CHANGELOG.md", "package.json"].includes(f));
  if (stray.length > 0) throw new Error(`files that do not belong in the package: ${stray.join(", ")}`);
  for (const need of ["README.md", "LICENSE", "CHANGELOG.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/worker.js",
    "dist/worker.d.ts", "dist/internal.js", "dist/internal.d.ts", "dist/rank-worker.js"]) {
    if (!files.includes(need)) throw new Error(`${need} is missing from the tarball`);
  }
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  const deps = Object.keys(pkg.dependencies ?? {});
  // Runtime dependencies are exactly the bare specifiers the built JavaScript imports statically.
  const imported = new Set();
  for (const f of readdirSync(join(repo, "dist")).filter((f) => f.endsWith(".js"))) {
    for (const m of readFileSync(join(repo, "dist", f), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*"([^"./][^"]*)"/g)) {
      if (!m[1].startsWith("node:")) imported.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
    }
  }
  const extra = deps.filter((d) => !imported.has(d));
  const missing = [...imported].filter((d) => !deps.includes(d));
  if (extra.length || missing.length) throw new Error(`dependencies ${JSON.stringify(deps)} vs imported ${JSON.stringify([...imported])}`);
  return `${files.length} files, ${(info.size / 1024).toFixed(0)} KiB; dependencies: ${deps.join(", ")}`;
});
if (tarball === undefined) {
  console.log("no tarball: the other consumer tests cannot run");
} else {
  if (want("tarball")) {
    await check("publint on the tarball (strict): no errors or warnings", () => {
      const out = must(sh(bin("publint"), ["run", tarball, "--strict"], { cwd: work }), "publint");
      if (!/All good/.test(out)) throw new Error(out);
      return "all good";
    });
    await check("@arethetypeswrong/cli on the tarball (ESM-only profile): no problems", () => {
      const r = sh(bin("attw"), [tarball, "--profile", "esm-only", "--format", "json"], { cwd: work });
      const json = JSON.parse(r.out.slice(r.out.indexOf("{")));
      const problems = (json.analysis?.problems ?? []).filter((p) => !["node10", "node16-cjs"].includes(p.resolutionKind));
      if (r.status !== 0 || problems.length > 0) throw new Error(`exit ${r.status}: ${JSON.stringify(problems).slice(0, 2000)}`);
      return `entry points: ${Object.keys(json.analysis.entrypoints).join(", ")}`;
    });
  }
  if (want("node")) {
    await check("plain node app.mjs (no tsx, no loader): 4 cpu ranks, handshake and all-reduce verified", () => {
      const dir = project("node-app", tarball);
      return runVerified(process.execPath, ["app.mjs"], dir);
    });
  }
  if (want("node")) {
    await check("node --import tsx app.ts (the user's own loader), TypeScript rank functions in a rank worker: 4 cpu ranks, verified", () => {
      const dir = project("node-ts-app", tarball, ["tsx"]);
      return runVerified(process.execPath, ["--import", "tsx", "app.ts"], dir);
    });
  }
  if (want("deno")) {
    await check("deno run -A main.ts, webshmem from node_modules: 4 WebGPU ranks, handshake and all-reduce verified", () => {
      const dir = project("deno-app", tarball);
      return runVerified(bin("deno"), ["run", "-A", "main.ts"], dir);
    });
  }
  if (want("vite")) {
    let dir;
    await check("Vite app, strict TypeScript: tsc --noEmit with skipLibCheck false is clean", () => {
      dir = project("vite-app", tarball, ["vite", "typescript", "@webgpu/types"]);
      must(sh(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: dir }), "tsc");
      const listed = must(sh(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--listFiles"], { cwd: dir }), "tsc --listFiles");
      const ours = listed.split("\n").filter((l) => l.includes("node_modules/webshmem/"));
      if (ours.length === 0 || ours.some((f) => !f.endsWith(".d.ts"))) throw new Error(`tsc checked these webshmem files: ${ours.join(", ")}`);
      return `${ours.length} declaration files of webshmem checked`;
    });
    const vite = (d) => join(d, "node_modules/vite/bin/vite.js");
    if (dir !== undefined) {
      await check("Vite app on the dev server, in Chromium: 4 WebGPU ranks, handshake and all-reduce verified on the page", async () => {
        const port = await freePort();
        const server = await serve(dir, [vite(dir), "--port", String(port), "--strictPort", "--host", "127.0.0.1"], `http://127.0.0.1:${port}/`);
        try {
          return await openAndRead(`http://127.0.0.1:${port}/`);
        } finally {
          server.stop();
        }
      });
      await check("Vite app built (vite build + vite preview), in Chromium: 4 WebGPU ranks, handshake and all-reduce verified on the page", async () => {
        must(sh(process.execPath, [vite(dir), "build"], { cwd: dir }), "vite build");
        const assets = readdirSync(join(dir, "dist", "assets"));
        if (assets.some((a) => a.endsWith(".ts"))) throw new Error(`the build copied TypeScript files as assets: ${assets.join(", ")}`);
        const port = await freePort();
        const server = await serve(dir, [vite(dir), "preview", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], `http://127.0.0.1:${port}/`);
        try {
          return await openAndRead(`http://127.0.0.1:${port}/`);
        } finally {
          server.stop();
        }
      });
    }
  }
}
await browser?.close();

if (junit !== undefined) {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const failures = cases.filter((c) => c.failure).length;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="consumers" tests="${cases.length}" failures="${failures}">\n` +
    cases.map((c) => `  <testcase name="${esc(c.name)}" time="${c.s.toFixed(1)}">` +
      (c.failure ? `<failure message="${esc(c.failure.slice(0, 2000))}"/>` : "") + "</testcase>").join("\n") +
    "\n</testsuite></testsuites>\n";
  mkdirSync(dirname(resolve(junit)), { recursive: true });
  writeFileSync(junit, xml);
}
if (!keep) rmSync(work, { recursive: true, force: true });
const failed = cases.filter((c) => c.failure).length;
console.log(`consumers: ${cases.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
