#!/usr/bin/env node
// `npm run bench:tp-mlp -- [flags]`: T7 of issue 12, the tensor-parallel MLP eager / planned / fused
// over a sweep of sizes (examples/tp-mlp/bench-run.ts), on one runtime:
//   --runtime deno (default)  spawns `npx deno run -A bench/tp-mlp.ts [flags]`
//   --runtime chromium        drives /bench/tp-mlp.html in Debian's Chromium (scripts/lib/chromium-page.mjs),
//                             streaming the page's lines here and writing its JSON
// The flags are checked here first, by the parser both entry points use.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";
import { runInChromium } from "./lib/chromium-page.mjs";

register();
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version ?? "unknown";
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), "xdg-"));

const { parseTpMlpArgs, TP_MLP_USAGE, TpMlpUsageError } = await import("../examples/tp-mlp/bench-run.ts");
const at = argv.findIndex((a) => a === "--runtime" || a.startsWith("--runtime="));
const runtime = at < 0 ? "deno" : (argv[at].includes("=") ? argv[at].split("=")[1] : argv[at + 1]);
let opts;
try {
  if (runtime !== "deno" && runtime !== "chromium") throw new TpMlpUsageError(`--runtime must be deno or chromium, found ${runtime}`);
  opts = parseTpMlpArgs(argv);
} catch (e) {
  if (!(e instanceof TpMlpUsageError)) throw e;
  console.error(`${TP_MLP_USAGE}: ${e.message}`);
  process.exit(2);
}

async function runDeno() {
  const child = spawn("npx", ["deno", "run", "-A", join(root, "bench/tp-mlp.ts"), ...argv], { stdio: "inherit" });
  return new Promise((res) => child.on("exit", (c, signal) => res(c ?? (signal ? 128 : 1))));
}

async function runChromium() {
  const out = (line) => process.stdout.write(`${line}\n`);
  const err = (line) => process.stderr.write(`${line}\n`);
  const outcome = await runInChromium({
    root, pagePath: "/bench/tp-mlp.html", out, err,
    run: (page) => page.evaluate(({ argv, version }) => globalThis.__runTpMlp(argv, version), { argv, version }),
  });
  if (outcome.json !== undefined && opts.json !== undefined) {
    writeFileSync(resolve(process.cwd(), opts.json), outcome.json);
    err(`# wrote ${opts.json}`);
  }
  return outcome.code;
}

let code;
try {
  code = await (runtime === "chromium" ? runChromium() : runDeno());
} catch (e) {
  console.error(`bench:tp-mlp: ${e?.stack ?? e}`);
  code = 1;
}
process.exit(code);
