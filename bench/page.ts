// The benchmark in Chromium: scripts/bench.mjs (--runtime chromium) opens this page from the Vite
// dev server and calls __runBench(argv, version); lines go back through the exposed __benchWrite
// (when driven by Playwright) and onto the page (bench/page-io.ts).
import { benchMain, type BenchOutcome } from "../src/bench/main.ts";
// The benchmark's ranks built into a rank worker (as the demo's panel does), so the page also works bundled.
import rankWorker from "../src/bench/ranks.worker.ts?worker&url";
import { isolationProblem, pageWriter, serveEntry } from "./page-io.ts";

serveEntry("__runBench", async (argv: string[], version?: string): Promise<Omit<BenchOutcome, "report">> => {
  const problem = isolationProblem("bench");
  if (problem !== undefined) {
    pageWriter("err")(problem);
    return { code: 1 };
  }
  const { code, json, jsonPath, trace, tracePath } = await benchMain(argv, { out: pageWriter("out"), err: pageWriter("err") }, { version, rankWorker });
  return { code, json, jsonPath, trace, tracePath };
});
