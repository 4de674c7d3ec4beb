// T7's benchmark in Chromium: scripts/bench-tp-mlp.mjs (--runtime chromium) opens this page from the
// Vite dev server and calls __runTpMlp(argv, version); lines go back through the exposed
// __benchWrite (when driven by Playwright) and onto the page. The sweep is examples/tp-mlp/bench-run.ts.
import { parseTpMlpArgs, runTpMlpBench, TP_MLP_USAGE, TpMlpUsageError } from "../examples/tp-mlp/bench-run.ts";
import rankWorker from "../examples/tp-mlp/mlp-ranks.worker.ts?worker&url";

type Write = (stream: "out" | "err", line: string) => Promise<void>;
const scope = globalThis as unknown as {
  __benchWrite?: Write;
  __runTpMlp?: (argv: string[], version?: string) => Promise<{ code: number; json?: string; jsonPath?: string }>;
  __benchReady?: boolean;
};
const outEl = document.querySelector<HTMLPreElement>("#out")!;
const errEl = document.querySelector<HTMLPreElement>("#err")!;

function writer(stream: "out" | "err", el: HTMLPreElement): (line: string) => void {
  return (line) => {
    el.textContent += `${line}\n`;
    void scope.__benchWrite?.(stream, line);
  };
}

scope.__runTpMlp = async (argv, version = "unknown") => {
  const err = writer("err", errEl);
  if (!crossOriginIsolated) {
    err("bench:tp-mlp: this page is not cross-origin isolated (SharedArrayBuffer is unavailable): serve it with " +
      "COOP same-origin and COEP require-corp, as vite.config.ts does");
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
  const { code, json } = await runTpMlpBench(o, { out: writer("out", outEl), err }, { rankWorker }, { runtime: "chromium", version });
  return { code, json, jsonPath: o.json };
};
scope.__benchReady = true;
