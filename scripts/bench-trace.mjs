#!/usr/bin/env node
// The text summary of a --trace file (npm run bench -- ... --trace FILE): per row and placement
// (and the naive baseline), per step, when the first and the last rank started and ended it, in
// ms from the iteration's first start, medians over the timed iterations (src/bench/trace.ts).
// The file itself opens in Perfetto (ui.perfetto.dev) or chrome://tracing, one thread per rank.
//   node scripts/bench-trace.mjs trace.json
import { readFileSync } from "node:fs";
import { register } from "tsx/esm/api";

register();

const { parseTrace, spreadLines, summarizeTrace } = await import("../src/bench/trace.ts");
process.stdout.on("error", (e) => process.exit(e.code === "EPIPE" ? 0 : 1)); // piped into head
const file = process.argv[2];
if (file === undefined) {
  console.error("usage: node scripts/bench-trace.mjs TRACE.json");
  process.exit(2);
}
for (const line of spreadLines(summarizeTrace(parseTrace(readFileSync(file, "utf8"))))) console.log(line);
