// The wake-up probe's page (bench/wake-probe.html): scripts/wake-probe.mjs opens it on a Vite dev
// server and calls __runWakeProbe(argv); the probe itself is test/perf/wake-probe.ts.
import { runProbe } from "../test/perf/wake-probe.ts";
import workerUrl from "../test/perf/wake-probe.worker.ts?worker&url";
import { isolationProblem, pageWriter, serveEntry } from "./page-io.ts";

serveEntry("__runWakeProbe", async (argv: string[]): Promise<number> => {
  const problem = isolationProblem("wake probe");
  if (problem !== undefined) {
    pageWriter("err")(problem);
    return 1;
  }
  const out = pageWriter("out");
  const runtime = `chromium ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ""}`;
  for (const line of await runProbe(workerUrl, runtime, argv)) out(line);
  return 0;
});
