import { describe, expect, it } from "vitest";
import { expectedResult, fillInput, rawArray, countWrong } from "../../src/bench/data.ts";
import { movedTable, splitsComment } from "../../src/bench/print.ts";
import { jsonText, toJson, type BenchReport } from "../../src/bench/report.ts";
import { rowShape } from "../../src/bench/sizes.ts";
import { receivedTotal } from "../../src/bench/splits.ts";
import { referenceReduce } from "../../src/internal.ts";

const report: BenchReport = {
  meta: { runtime: "deno", backend: "webgpu", ranks: 4, adapter: "llvmpipe", date: "2026-01-01T00:00:00.000Z", version: "0.1.0" },
  rows: [
    {
      op: "all_reduce", algo: "one_shot", size: 8, count: 2, dtype: "float32", redop: "sum", root: -1,
      outOfPlace: { opName: "symm_mem::one_shot_all_reduce", timeUs: 24823.7249, algbw: 3.2227e-7, busbw: 4.834e-7, wrong: 0, steps: { kernel: 1 } },
      inPlace: null,
    },
    {
      op: "all_reduce", algo: "two_shot", size: 16, count: 4, dtype: "float32", redop: "sum", root: -1,
      outOfPlace: { opName: "a", timeUs: 10, algbw: 0.0016, busbw: 0.0024, wrong: 0 },
      inPlace: { opName: "b", timeUs: 5, algbw: 0.0032, busbw: 0.0048, wrong: null },
    },
  ],
  baselines: [
    { name: "gpu_roundtrip", size: 8, timeUs: 11000.12345 },
    { name: "staging_floor", size: 8, timeUs: 20000 },
  ],
};

describe("--json", () => {
  it("has exactly the issue's shape: meta, rows (one per measured placement), baselines", () => {
    const j = JSON.parse(jsonText(report));
    expect(Object.keys(j)).toEqual(["meta", "rows", "baselines"]);
    expect(Object.keys(j.meta)).toEqual(["runtime", "backend", "ranks", "adapter", "date", "version"]);
    expect(j.rows).toHaveLength(3);
    for (const r of j.rows) {
      expect(Object.keys(r)).toEqual(["op", "algo", "size", "count", "dtype", "redop", "inplace", "time_us", "algbw", "busbw", "wrong"]);
    }
    expect(j.rows[0]).toEqual({
      op: "all_reduce", algo: "one_shot", size: 8, count: 2, dtype: "float32", redop: "sum", inplace: false,
      time_us: 24823.725, algbw: 3.2227e-7, busbw: 4.834e-7, wrong: 0,
    });
    expect(j.rows.map((r: { inplace: boolean }) => r.inplace)).toEqual([false, false, true]);
    expect(j.rows[2].wrong).toBeNull();
    for (const b of j.baselines) expect(Object.keys(b)).toEqual(["name", "size", "time_us"]);
    expect(j.baselines[0]).toEqual({ name: "gpu_roundtrip", size: 8, time_us: 11000.123 });
    expect(toJson(report).meta).toEqual(report.meta);
  });

  it("adds meta.settings, after the usual keys, only when the run configured an op; traces never reach the JSON", () => {
    const settings = { "webshmem::host_all_reduce_": { oneRoundMaxBytes: 0 } };
    const j = JSON.parse(jsonText({
      ...report, meta: { ...report.meta, settings }, traces: [{ label: "x", ranks: [[{ name: "iteration", iter: 0, start: 0, end: 1 }]] }],
    }));
    expect(Object.keys(j)).toEqual(["meta", "rows", "baselines"]);
    expect(Object.keys(j.meta)).toEqual(["runtime", "backend", "ranks", "adapter", "date", "version", "settings"]);
    expect(j.meta.settings).toEqual(settings);
  });

  it("adds meta.heap (what the heap slabs were) when the run recorded it", () => {
    const j = JSON.parse(jsonText({ ...report, meta: { ...report.meta, heap: "wasm_memory" } }));
    expect(Object.keys(j.meta)).toEqual(["runtime", "backend", "ranks", "adapter", "date", "version", "heap"]);
    expect(j.meta.heap).toBe("wasm_memory");
  });
});

describe("--json median_us", () => {
  it("follows wrong when measured, and the median helper takes the middle (or the mean of the two middle) values", async () => {
    const { median } = await import("../../src/bench/metrics.ts");
    const withMedian: BenchReport = {
      ...report,
      rows: [{ ...report.rows[1], outOfPlace: { ...report.rows[1].outOfPlace!, medianUs: 7.12345 }, inPlace: null }],
    };
    const j = toJson(withMedian);
    expect(Object.keys(j.rows[0])).toEqual(["op", "algo", "size", "count", "dtype", "redop", "inplace", "time_us", "algbw", "busbw", "wrong", "median_us"]);
    expect(j.rows[0].median_us).toBe(7.123);
    expect(median([5, 1, 9])).toBe(5);
    expect(median([4, 1, 3, 100])).toBe(3.5);
    expect(median([])).toBe(0);
  });
});

describe("--json and the text of the all-to-alls", () => {
  const shape = rowShape("all_to_all_vdev_2d", 4096, 3, "float32", 2);
  const row = {
    op: "all_to_all_vdev_2d" as const, algo: "default", size: shape.size, count: shape.count, dtype: "float32" as const, redop: "none",
    root: -1, outOfPlace: { opName: "symm_mem::all_to_all_vdev_2d", timeUs: 10, algbw: 0.4, busbw: 0.27, wrong: 0 }, inPlace: null,
    splits: shape.splits,
  };
  const plan = shape.splits!;

  it("all_to_all_vdev_2d rows add experts and each rank's received bytes after the usual keys", () => {
    const j = toJson({ ...report, rows: [...report.rows, row] });
    const last = j.rows[j.rows.length - 1];
    expect(Object.keys(last)).toEqual([
      "op", "algo", "size", "count", "dtype", "redop", "inplace", "time_us", "algbw", "busbw", "wrong", "experts", "recv_bytes",
    ]);
    expect(last.recv_bytes).toEqual([0, 1, 2].map((r) => receivedTotal(plan, r) * 4));
    expect(last.recv_bytes!.reduce((a, b) => a + b, 0)).toBe(3 * 4096); // what was sent is received
    expect(Object.keys(j.rows[0])).not.toContain("experts");
  });

  it("the header says how size maps to splits; the bytes-moved table lists every rank's received bytes", () => {
    const head = splitsComment({ op: "all_to_all_vdev_2d", ranks: 3, experts: 2 }, [shape]);
    expect(head[0]).toMatch(/^all_to_all_vdev_2d: 2 experts per rank, 6 \(rank, expert\) bins; size = bytes every rank sends/);
    expect(head.join("\n")).toMatch(/mulberry32\(20261202 \+ 7919 r\)/);
    expect(head.filter((l) => /^ {2}rank {2}\d weights \[/.test(l))).toHaveLength(3);
    expect(splitsComment({ op: "all_to_all", ranks: 3, experts: 2 }, [])[0]).toMatch(/count = elements each rank sends to each rank/);
    expect(splitsComment({ op: "all_reduce", ranks: 3, experts: 2 }, [])).toEqual([]);
    const t = movedTable([row], "float32");
    expect(t[2]).toMatch(/^# +size +recv r0 +recv r1 +recv r2 +off-rank sent +off-rank recv$/);
    expect(t[3].trim().split(/\s+/).slice(0, 4).map(Number)).toEqual([4096, ...[0, 1, 2].map((r) => receivedTotal(plan, r) * 4)]);
    expect(movedTable(report.rows, "float32")).toEqual([]);
  });
});

describe("inputs and the expected results", () => {
  it("inputs are deterministic per rank and element, wherever they are generated from", () => {
    const whole = fillInput("float32", 2, 0, rawArray("float32", 500));
    const part = fillInput("float32", 2, 123, rawArray("float32", 200));
    expect([...part]).toEqual([...whole.subarray(123, 323)]);
    expect(whole.every((v) => Math.abs(v) <= 3.25 && v * 16 === Math.round(v * 16))).toBe(true);
  });

  it("the expected all_reduce is referenceReduce over every rank's input, in a SharedArrayBuffer", () => {
    const n = 3;
    const count = 70_000; // spans two of expectedResult's chunks
    const want = expectedResult("all_reduce", "bfloat16", "prod", n, count, 0);
    expect(want.buffer).toBeInstanceOf(SharedArrayBuffer);
    const inputs = Array.from({ length: n }, (_, r) => fillInput("bfloat16", r, 0, rawArray("bfloat16", count)));
    expect([...want]).toEqual(referenceReduce("bfloat16", "prod", inputs));
  });

  it("countWrong counts elements, bit-exact or within the dtype's tolerance", () => {
    const want = Float32Array.from([1, 2, 3, NaN]);
    expect(countWrong("float32", Float32Array.from([1, 2, 3, NaN]), want, true)).toBe(0);
    expect(countWrong("float32", Float32Array.from([1, 2.0000003, 4, NaN]), want, true)).toBe(2);
    expect(countWrong("float32", Float32Array.from([1, 2.0000003, 4, NaN]), want, false)).toBe(1);
    expect(countWrong("float32", Float32Array.from([1]), want, true)).toBe(4);
  });
});
