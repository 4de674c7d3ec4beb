// The wake-up probe's page (bench/wake-probe.html): scripts/wake-probe.mjs opens it on a Vite dev
// server and calls __runWakeProbe(argv); the probe itself is test/perf/wake-probe.ts.
import { type ModeResult, modesFor, probeArgs, probeMode, type ProbeWorker, resultLines } from "../test/perf/wake-probe.ts";
import workerUrl from "../test/perf/wake-probe.worker.ts?worker&url";
import { isolationProblem, pageWriter, serveEntry } from "./page-io.ts";

serveEntry("__runWakeProbe", async (argv: string[]): Promise<number> => {
  const out = pageWriter("out");
  const problem = isolationProblem("wake probe");
  if (problem !== undefined) {
    pageWriter("err")(problem);
    return 1;
  }
  const o = probeArgs(argv);
  const spawn = (): ProbeWorker => {
    const w = new Worker(workerUrl, { type: "module" });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (fn) => (w.onmessage = (e) => fn(e.data)),
      terminate: () => w.terminate(),
    };
  };
  const results: ModeResult[] = [];
  for (const mode of modesFor(o)) results.push(await probeMode(spawn, mode, o));
  for (const line of resultLines(`chromium ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ""}`, o, results)) out(line);
  return 0;
});
