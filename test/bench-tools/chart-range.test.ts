import { beforeAll, describe, expect, it } from "vitest";
import { type BenchChart, loadBenchChart } from "./load.ts";

let chart: BenchChart;
beforeAll(async () => {
  chart = await loadBenchChart();
});

describe("bench:chart's y range (makeYScale)", () => {
  it("shows every measured point, however far below a baseline (the lowest points were clipped)", () => {
    const measured = [2e-6, 3e-3, 0.4];
    const baselines = [40, 80]; // a heap memcpy baseline far above the series
    const s = chart.makeYScale(measured, "log", baselines);
    for (const v of measured) {
      expect(s.shows(v)).toBe(true);
      expect(s.fraction(v)).toBeGreaterThan(0);
      expect(s.fraction(v)).toBeLessThan(1);
    }
    expect(s.min).toBeLessThan(2e-6);
    expect(s.max).toBeGreaterThanOrEqual(80);
  });

  it("lets baselines below the series widen the range by at most six decades under the top", () => {
    const s = chart.makeYScale([10, 20], "log", [1e-12]);
    expect(Math.log10(s.max) - Math.log10(s.min)).toBeLessThanOrEqual(6 + 1e-9);
  });

  it("keeps a margin: a point on a decade line is not drawn on the plot's edge", () => {
    const s = chart.makeYScale([1e-3, 10], "log");
    expect(s.fraction(1e-3)).toBeGreaterThan(0);
    expect(s.fraction(10)).toBeLessThan(1);
  });
});
