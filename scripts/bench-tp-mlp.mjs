#!/usr/bin/env node
// `npm run bench:tp-mlp -- [flags]`: T7 of issue 12, the tensor-parallel MLP eager / planned / fused
// over a sweep of sizes (examples/tp-mlp/bench-run.ts), on one runtime:
//   --runtime deno (default)  spawns `npx deno run -A bench/tp-mlp.ts [flags]`
//   --runtime chromium        drives /bench/tp-mlp.html in Debian's Chromium (scripts/lib/chromium-page.mjs),
//                             streaming the page's lines here and writing its JSON
// The flags are checked here first, by the parser both entry points use.
import { err, out, root, runDenoScript, version, writeJson } from "./lib/bench-env.mjs";
import { runInChromium } from "./lib/chromium-page.mjs";

const argv = process.argv.slice(2);
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

async function runChromium() {
  const outcome = await runInChromium({
    root, pagePath: "/bench/tp-mlp.html", out, err,
    run: (page) => page.evaluate(({ argv, version }) => globalThis.__runTpMlp(argv, version), { argv, version }),
  });
  writeJson(outcome.json, opts.json);
  return outcome.code;
}

let code;
try {
  code = await (runtime === "chromium" ? runChromium() : runDenoScript("bench/tp-mlp.ts", argv));
} catch (e) {
  console.error(`bench:tp-mlp: ${e?.stack ?? e}`);
  code = 1;
}
process.exit(code);
