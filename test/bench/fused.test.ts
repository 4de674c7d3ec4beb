// The fused ops' benchmark pieces that need no world: the float64 reference the ranks check the
// decomposition with (against an independent triple loop over the generator's values), the fusion
// table's ratios and verdicts, and the JSON of a fused row.
import { describe, expect, it } from "vitest";
import { fillInput, rawArray } from "../../src/bench/data.ts";
import { fusedReference } from "../../src/bench/fused-ranks.ts";
import { fusionRows, fusionTable } from "../../src/bench/print-fused.ts";
import { toJson, type BaselineResult, type RowResult } from "../../src/bench/report.ts";

const gen = (seed: number, n: number): number[] => Array.from(fillInput("float32", seed, 0, rawArray("float32", n)));

describe("fusedReference (float64, from the inputs' generator)", () => {
  it("all-gather: the shards in rank order, then gathered @ B of this rank (B seeded world + rank)", () => {
    const [world, m, k, n] = [2, 4, 3, 2];
    for (const me of [0, 1]) {
      const [gathered, c] = fusedReference({ op: "fused_all_gather_matmul", dtype: "float32", m, k, n }, me, world);
      const a = [...gen(0, (m / world) * k), ...gen(1, (m / world) * k)];
      expect(Array.from(gathered)).toEqual(a);
      const b = gen(world + me, k * n);
      const want: number[] = [];
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
        want.push(s);
      }
      expect(Array.from(c)).toEqual(want);
    }
  });

  it("reduce-scatter: this rank's rows of the sum over ranks of A_q @ B_q", () => {
    const [world, m, k, n] = [3, 6, 2, 3];
    for (const me of [0, 2]) {
      const [out] = fusedReference({ op: "fused_matmul_reduce_scatter", dtype: "float32", m, k, n }, me, world);
      const want: number[] = [];
      for (let i = me * 2; i < me * 2 + 2; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < world; q++) {
          const a = gen(q, m * k);
          const b = gen(world + q, k * n);
          for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
        }
        want.push(s);
      }
      expect(Array.from(out)).toEqual(want);
    }
  });
});

const row = (size: number, timeUs: number): RowResult => ({
  op: "fused_all_gather_matmul", algo: "default", size, count: size / 16, dtype: "float32", redop: "none", root: -1,
  outOfPlace: { opName: "symm_mem::fused_all_gather_matmul", timeUs, algbw: 1, busbw: 0.75, wrong: 0 }, inPlace: null,
  mm: { m: size / 256, k: 64, n: 64 },
});
const base = (size: number, unfused: number, comm: number, matmul: number): BaselineResult[] => [
  { name: "unfused", size, timeUs: unfused }, { name: "comm", size, timeUs: comm }, { name: "matmul", size, timeUs: matmul },
];

describe("the fusion table", () => {
  const rows = [row(16384, 80), row(65536, 95), row(262144, 100)];
  const baselines = [...base(16384, 100, 50, 40), ...base(65536, 100, 50, 40), ...base(262144, 400, 100, 300)];

  it("ratio = fused / unfused, comm frac = comm / unfused, per size", () => {
    expect(fusionRows(rows, baselines).map((r) => [r.size, r.m, r.ratio, r.commFraction]))
      .toEqual([[16384, 64, 0.8, 0.5], [65536, 256, 0.95, 0.5], [262144, 1024, 0.25, 0.25]]);
  });

  it("pays: yes at <= 0.9, no above, - where comm is under a third of the step", () => {
    const lines = fusionTable(rows, baselines);
    const data = lines.filter((l) => /^\s+\d/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(data.map((c) => [c[6], c[8], c[10], c[11]])).toEqual([["0.80", "0.50", "0.90", "yes"], ["0.95", "0.50", "0.90", "no"],
      ["0.25", "0.25", "1.00", "-"]]);
    expect(fusionTable(rows, [])).toEqual([]); // --baselines 0: no table
  });

  it("a fused row's JSON adds m, k, n after wrong; the fused baselines keep the baselines' form", () => {
    const j = toJson({ meta: { runtime: "deno", backend: "webgpu", ranks: 4, adapter: "x", date: "d", version: "v" }, rows: [rows[0]], baselines });
    expect(Object.keys(j.rows[0])).toEqual(["op", "algo", "size", "count", "dtype", "redop", "inplace", "time_us", "algbw", "busbw", "wrong", "m", "k", "n"]);
    expect(j.rows[0]).toMatchObject({ m: 64, k: 64, n: 64 });
    expect(j.baselines[0]).toEqual({ name: "unfused", size: 16384, time_us: 100 });
  });
});
