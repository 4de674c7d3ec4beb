// The benchmark in Chromium: scripts/bench.mjs (--runtime chromium) opens this page from the Vite
// dev server and calls __runBench(argv, version); lines go back through the exposed __benchWrite
// (when driven by Playwright) and onto the page.
import { benchMain, type BenchOutcome } from "../src/bench/main.ts";

type Write = (stream: "out" | "err", line: string) => Promise<void>;
const scope = globalThis as unknown as {
  __benchWrite?: Write;
  __runBench?: (argv: string[], version?: string) => Promise<Omit<BenchOutcome, "report">>;
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

scope.__runBench = async (argv, version) => {
  if (!crossOriginIsolated) {
    const line = "bench: this page is not cross-origin isolated (SharedArrayBuffer is unavailable): serve it with " +
      "COOP same-origin and COEP require-corp, as vite.config.ts does";
    writer("err", errEl)(line);
    return { code: 1 };
  }
  const { code, json, jsonPath } = await benchMain(argv, { out: writer("out", outEl), err: writer("err", errEl) }, { version });
  return { code, json, jsonPath };
};
scope.__benchReady = true;
