// T7's benchmark in Chromium: scripts/bench-tp-mlp.mjs (--runtime chromium) opens this page from the
// Vite dev server and calls __runTpMlp(argv, version); lines go back through the exposed
// __benchWrite (when driven by Playwright) and onto the page (bench/page-io.ts). The sweep is
// examples/tp-mlp/bench-run.ts.
import { parseTpMlpArgs, runTpMlpBench, TP_MLP_USAGE, TpMlpUsageError } from "../examples/tp-mlp/bench-run.ts";
import rankWorker from "../examples/tp-mlp/mlp-ranks.worker.ts?worker&url";
import { isolationProblem, pageWriter, serveEntry } from "./page-io.ts";

serveEntry("__runTpMlp", async (argv: string[], version = "unknown"): Promise<{ code: number; json?: string; jsonPath?: string }> => {
  const err = pageWriter("err");
  const problem = isolationProblem("bench:tp-mlp");
  if (problem !== undefined) {
    err(problem);
    return { code: 1 };
  }
  let o;
  try {
    o = parseTpMlpArgs(argv);
  } catch (e) {
    if (!(e instanceof TpMlpUsageError)) throw e;
    err(`${TP_MLP_USAGE}: ${e.message}`);
    return { code: 2 };
  }
  const { code, json } = await runTpMlpBench(o, { out: pageWriter("out"), err }, { rankWorker }, { runtime: "chromium", version });
  return { code, json, jsonPath: o.json };
});
