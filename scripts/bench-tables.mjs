#!/usr/bin/env node
// Markdown tables for BENCHMARKS.md from benchmark JSON files (npm run bench -- --json FILE):
// per size, the best column's time and busbw, and its ratio to each baseline of the same run.
//   node scripts/bench-tables.mjs docs/bench/results/a.json [b.json ...]
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
  const lines = [
    `**${name}** — ${m.runtime}, ${m.backend}, ${m.ranks} ranks${m.adapter ? `, ${m.adapter}` : ""} (${m.date.slice(0, 10)})`,
    "",
    "| size | algo | time (µs) | busbw (GB/s) | wrong | ÷ staging floor | ÷ GPU round trip | ÷ naive postMessage | ÷ heap memcpy |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [size, r] of [...bySize].sort((a, b) => a[0] - b[0])) {
    const ratio = (t) => (t === undefined ? "—" : fmt(r.time_us / t));
    lines.push(`| ${human(size)} | ${r.algo}${r.inplace ? " (in place)" : ""} | ${fmt(r.time_us, 1)} | ${fmt(r.busbw, 3)} | ${r.wrong ?? "—"} | ` +
      `${ratio(base("staging_floor", size))} | ${ratio(rt)} | ${ratio(base("naive_postmessage", size))} | ${ratio(base("heap_memcpy", size))} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    console.log(table(JSON.parse(readFileSync(file, "utf8")), basename(file, ".json")));
    console.log();
  }
}
