#!/usr/bin/env node
// `npm run bench -- [flags]`: the benchmark (src/bench/) on one runtime, nccl-tests' flags.
//   --runtime deno (default)  spawns `npx deno run -A deno/bench.ts [flags]`
//   --runtime node            runs the core here under tsx: the cpu backend, or --backend webgpu
//                             (Dawn from the npm package "webgpu"; VK_ICD_FILENAMES defaults to
//                             SwiftShader from Debian's chromium package when that is installed)
//   --runtime chromium        starts a Vite dev server on a free port and drives /bench/page.html in
//                             Debian's Chromium (Playwright, the args of playwright.config.ts),
//                             streaming the page's lines here and writing its JSON
// The flags are checked here first, by the same parser every entry point uses.
import { existsSync } from "node:fs";
import { err, out, root, runDenoScript, version, writeJson as writeFile } from "./lib/bench-env.mjs";
import { runInChromium } from "./lib/chromium-page.mjs";

const argv = process.argv.slice(2);
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

const { parseFlags, BenchFlagError, usage } = await import("../src/bench/flags.ts");
let opts;
try {
  opts = parseFlags(argv, "deno");
} catch (e) {
  if (!(e instanceof BenchFlagError)) throw e;
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(usage());
  process.exit(0);
}

const writeOutputs = (outcome) => {
  writeFile(outcome.json, outcome.jsonPath);
  writeFile(outcome.trace, outcome.tracePath);
};

const runDeno = () => runDenoScript("deno/bench.ts", argv);

async function runNode() {
  // Dawn refuses lavapipe. Only here: set for the whole script, it reached the Deno child too,
  // which then ran on SwiftShader instead of lavapipe (the adapter in the runs' meta shows it).
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const { benchMain } = await import("../src/bench/main.ts");
  const outcome = await benchMain(argv, { out, err }, { version });
  writeOutputs(outcome);
  return outcome.code;
}

async function runChromium() {
  const outcome = await runInChromium({
    root, pagePath: "/bench/page.html", out, err,
    run: (page) => page.evaluate(({ argv, version }) => globalThis.__runBench(argv, version), { argv, version }),
  });
  writeOutputs(outcome);
  return outcome.code;
}

const runners = { deno: runDeno, node: runNode, chromium: runChromium };
let code;
try {
  code = await runners[opts.runtime]();
} catch (e) {
  console.error(`bench: ${e?.stack ?? e}`);
  code = 1;
}
process.exit(code);
