import { describe, expect, it } from "vitest";
import { expectedResult, fillInput, rawArray, countWrong } from "../../src/bench/data.ts";
import { jsonText, toJson, type BenchReport } from "../../src/bench/report.ts";
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
