#!/usr/bin/env node
// The text summary of a --trace file (npm run bench -- ... --trace FILE): per row and placement
// (and the naive baseline), per step, when the first and the last rank started and ended it, in
// ms from the iteration's first start, medians over the timed iterations (src/bench/trace.ts); then
// the tail: per row, how many rank-iterations took over 100 µs and over 1 ms, their share of the
// time, and the steps the slowest of them spent it in (a mean far above the median is a tail).
// The file itself opens in Perfetto (ui.perfetto.dev) or chrome://tracing, one thread per rank.
//   node scripts/bench-trace.mjs trace.json
import { readFileSync } from "node:fs";
import { register } from "tsx/esm/api";

register();

const { parseTrace, spreadLines, stallLines, stallSummary, summarizeTrace } = await import("../src/bench/trace.ts");
process.stdout.on("error", (e) => process.exit(e.code === "EPIPE" ? 0 : 1)); // piped into head
const file = process.argv[2];
if (file === undefined) {
  console.error("usage: node scripts/bench-trace.mjs TRACE.json");
  process.exit(2);
}
const rows = parseTrace(readFileSync(file, "utf8"));
for (const line of spreadLines(summarizeTrace(rows))) console.log(line);
for (const line of stallLines(stallSummary(rows))) console.log(line);
