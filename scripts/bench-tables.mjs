#!/usr/bin/env node
// Markdown tables for BENCHMARKS.md from benchmark JSON files (npm run bench -- --json FILE):
// per size, the best column's time and busbw, and its ratio to each baseline of the same run.
//   node scripts/bench-tables.mjs docs/bench/results/a.json [b.json ...]
//   node scripts/bench-tables.mjs --best r1.json r2.json r3.json   (repeated runs of one command:
//     one table of each size's fastest run, its ratios to that run's own baselines)
import { readFileSync } from "node:fs";
import { basename } from "node:path";

function human(bytes) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let u = 0;
  while (bytes >= 1024 && u < units.length - 1 && bytes % 1024 === 0) { bytes /= 1024; u++; }
  return `${bytes} ${units[u]}`;
}

const fmt = (v, d = 2) => (v === undefined || v === null || Number.isNaN(v) ? "—" : v >= 100 ? v.toFixed(0) : v.toFixed(d));

export function table(json, name) {
  const m = json.meta;
  const bySize = new Map();
  for (const r of json.rows) {
    if (r.time_us === null || r.time_us === undefined) continue;
    const best = bySize.get(r.size);
    if (best === undefined || r.time_us < best.time_us) bySize.set(r.size, r);
  }
  const base = (name, size) => json.baselines.find((b) => b.name === name && b.size === size)?.time_us;
  const rt = json.baselines.find((b) => b.name === "gpu_roundtrip")?.time_us;
  // median_us (newer runs): the median iteration beside the mean, where a few slow iterations weigh
  const medians = json.rows.some((r) => r.median_us !== undefined);
  const lines = [
    `**${name}** — ${m.runtime}, ${m.backend}, ${m.ranks} ranks${m.adapter ? `, ${m.adapter}` : ""} (${m.date.slice(0, 10)})`,
    "",
    `| size | algo | time (µs) |${medians ? " median (µs) |" : ""} busbw (GB/s) | wrong | ÷ staging floor | ÷ GPU round trip | ÷ naive postMessage | ÷ heap memcpy |`,
    `|---:|---|---:|${medians ? "---:|" : ""}---:|---:|---:|---:|---:|---:|`,
  ];
  for (const [size, r] of [...bySize].sort((a, b) => a[0] - b[0])) {
    const ratio = (t) => (t === undefined ? "—" : fmt(r.time_us / t));
    lines.push(`| ${human(size)} | ${r.algo}${r.inplace ? " (in place)" : ""} | ${fmt(r.time_us, 1)} |${medians ? ` ${fmt(r.median_us, 1)} |` : ""} ${fmt(r.busbw, 3)} | ${r.wrong ?? "—"} | ` +
      `${ratio(base("staging_floor", size))} | ${ratio(rt)} | ${ratio(base("naive_postmessage", size))} | ${ratio(base("heap_memcpy", size))} |`);
  }
  return lines.join("\n");
}

/**
 * Repeated runs of one command as one document: for each size, the rows and baselines of the run
 * whose fastest row at that size was the fastest (so every ratio is still to its own run's baselines).
 */
export function best(docs) {
  const sizes = [...new Set(docs.flatMap((d) => d.rows.map((r) => r.size)))].sort((a, b) => a - b);
  const fastest = (d, size) => Math.min(...d.rows.filter((r) => r.size === size && r.time_us > 0).map((r) => r.time_us));
  const rows = [];
  const baselines = [];
  for (const size of sizes) {
    const pick = docs.reduce((a, b) => (fastest(b, size) < fastest(a, size) ? b : a));
    rows.push(...pick.rows.filter((r) => r.size === size));
    baselines.push(...pick.baselines.filter((b) => b.size === size || (b.name === "gpu_roundtrip" && !baselines.some((x) => x.name === b.name))));
  }
  return { meta: { ...docs[0].meta, date: docs[0].meta.date }, rows, baselines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === "--best") {
    const files = args.slice(1);
    console.log(table(best(files.map((f) => JSON.parse(readFileSync(f, "utf8")))), `best of ${files.map((f) => basename(f, ".json")).join(", ")}`));
    process.exit(0);
  }
  for (const file of args) {
    console.log(table(JSON.parse(readFileSync(file, "utf8")), basename(file, ".json")));
    console.log();
  }
}
