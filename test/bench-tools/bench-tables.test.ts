// scripts/bench-tables.mjs --best: repeated runs of one command, each size from its fastest run.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./load.ts";

interface Doc {
  meta: { runtime: string; backend: string; ranks: number; adapter: string; date: string; version: string };
  rows: { op: string; algo: string; size: number; count: number; dtype: string; redop: string; inplace: boolean; time_us: number; algbw: number; busbw: number; wrong: number | null; median_us?: number }[];
  baselines: { name: string; size: number; time_us: number }[];
}
const load = async () => (await import(pathToFileURL(resolve(repoRoot, "scripts/bench-tables.mjs")).href)) as {
  best(docs: Doc[]): Doc;
  table(doc: Doc, name: string): string;
};

const meta = { runtime: "deno", backend: "cpu", ranks: 2, adapter: "", date: "2026-12-02T00:00:00Z", version: "t" };
const row = (size: number, time_us: number) =>
  ({ op: "all_to_all", algo: "default", size, count: size / 8, dtype: "float32", redop: "none", inplace: false, time_us, algbw: 1, busbw: 0.5, wrong: 0 });
const run = (t1: number, t2: number, floor: number): Doc => ({
  meta, rows: [row(1024, t1), row(4096, t2)],
  baselines: [{ name: "heap_memcpy", size: 1024, time_us: floor }, { name: "heap_memcpy", size: 4096, time_us: floor }],
});

describe("bench-tables --best", () => {
  it("takes each size from the run that was fastest there, with that run's own baselines", async () => {
    const { best, table } = await load();
    const b = best([run(10, 50, 1), run(20, 40, 2)]);
    expect(b.rows.map((r) => [r.size, r.time_us])).toEqual([[1024, 10], [4096, 40]]);
    expect(b.baselines).toEqual([{ name: "heap_memcpy", size: 1024, time_us: 1 }, { name: "heap_memcpy", size: 4096, time_us: 2 }]);
    expect(table(b, "x")).toContain("| 4 KiB | default | 40.0 | 0.500 | 0 | — | — | — | 20.00 |");
  });

  it("adds a median column only for runs that measured one", async () => {
    const { table } = await load();
    const doc = run(10, 50, 1);
    expect(table(doc, "x")).not.toContain("median");
    doc.rows[1].median_us = 12.34;
    const t = table(doc, "x");
    expect(t).toContain("| size | algo | time (µs) | median (µs) | busbw (GB/s) |");
    expect(t).toContain("| 4 KiB | default | 50.0 | 12.3 | 0.500 | 0 | — | — | — | 50.00 |");
    expect(t).toContain("| 1 KiB | default | 10.0 | — | 0.500 |");
  });
});
