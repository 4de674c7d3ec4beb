import { describe, expect, it } from "vitest";
import { bandwidth, busFactor } from "../../src/bench/metrics.ts";
import { rowShape } from "../../src/bench/sizes.ts";

describe("algbw and busbw (nccl-tests' formulas)", () => {
  it("all_reduce: algbw = S / t, busbw = algbw × 2(n−1)/n", () => {
    // 1 GB in 1 s on 4 ranks
    const { algbw, busbw } = bandwidth("all_reduce", 250_000_000, 4, "float32", 1e6);
    expect(algbw).toBeCloseTo(1, 12);
    expect(busbw).toBeCloseTo(1.5, 12);
    expect(busFactor("all_reduce", 2)).toBe(1);
    expect(busFactor("all_reduce", 8)).toBe(1.75);
  });

  it("reduce_scatter and all_gather: algbw = count × n × elem / t, busbw = algbw × (n−1)/n", () => {
    for (const op of ["reduce_scatter", "all_gather"] as const) {
      const { algbw, busbw } = bandwidth(op, 1000, 4, "float16", 8); // 1000 × 4 × 2 B in 8 us
      expect(algbw).toBeCloseTo(1, 12);
      expect(busbw).toBeCloseTo(0.75, 12);
    }
  });

  it("all_to_all (nccl-tests' alltoall): algbw = count × n × elem / t, busbw = algbw × (n−1)/n", () => {
    const { algbw, busbw } = bandwidth("all_to_all", 1000, 4, "float16", 8); // 1000 per peer × 4 × 2 B in 8 us
    expect(algbw).toBeCloseTo(1, 12);
    expect(busbw).toBeCloseTo(0.75, 12);
    expect(busFactor("all_to_all", 2)).toBe(0.5);
    expect(busFactor("all_to_all", 1)).toBe(0);
  });

  it("all_to_all_vdev_2d: algbw = the bytes each rank sends / t, busbw = algbw × (n−1)/n", () => {
    const { algbw, busbw } = bandwidth("all_to_all_vdev_2d", 250, 4, "float32", 1); // 250 × 4 B sent per rank in 1 us
    expect(algbw).toBeCloseTo(1, 12);
    expect(busbw).toBeCloseTo(0.75, 12);
    expect(busFactor("all_to_all_vdev_2d", 5)).toBe(0.8);
  });

  it("all_to_all rows: count per peer rounded down to 16 bytes, size = count × n × elem (send = receive buffer)", () => {
    expect(rowShape("all_to_all", 1 << 20, 4, "float32")).toEqual({ inCount: 1 << 18, outCount: 1 << 18, count: 1 << 16, size: 1 << 20 });
    // 1000 B over 3 ranks: 83 floats per peer → 80 (16 bytes = 4 floats)
    expect(rowShape("all_to_all", 1000, 3, "float32")).toEqual({ inCount: 240, outCount: 240, count: 80, size: 960 });
    expect(rowShape("all_to_all", 1000, 3, "float16")).toEqual({ inCount: 480, outCount: 480, count: 160, size: 960 });
    expect(rowShape("all_to_all", 8, 4, "float32")).toEqual({ inCount: 0, outCount: 0, count: 0, size: 0 });
  });

  it("all_to_all_vdev_2d rows: size = bytes every rank sends (whole 16-byte units), out = the largest extent", () => {
    const s = rowShape("all_to_all_vdev_2d", 1000, 4, "float32", 2);
    expect(s).toMatchObject({ inCount: 248, count: 248, size: 992 });
    expect(s.splits?.inSplits.every((row) => row.reduce((a, b) => a + b, 0) === 248)).toBe(true);
    expect(s.outCount).toBeGreaterThan(0);
    expect(rowShape("all_to_all_vdev_2d", 1000, 4, "float32", 3).splits?.inSplits[0]).toHaveLength(12);
  });

  it("broadcast: busbw = algbw = S / t", () => {
    const { algbw, busbw } = bandwidth("broadcast", 500, 8, "int32", 2);
    expect(algbw).toBeCloseTo(1, 12);
    expect(busbw).toBe(algbw);
  });

  it("row sizes and counts follow nccl-tests: size is the larger buffer, count the op's per-rank count", () => {
    expect(rowShape("all_reduce", 1000, 4, "float32")).toEqual({ inCount: 250, outCount: 250, count: 250, size: 1000 });
    expect(rowShape("broadcast", 10, 4, "float16")).toEqual({ inCount: 5, outCount: 5, count: 5, size: 10 });
    expect(rowShape("reduce_scatter", 1000, 4, "float32")).toEqual({ inCount: 248, outCount: 62, count: 62, size: 992 });
    expect(rowShape("all_gather", 1000, 4, "float32")).toEqual({ inCount: 62, outCount: 248, count: 62, size: 992 });
    expect(rowShape("all_gather", 8, 4, "float32")).toEqual({ inCount: 0, outCount: 0, count: 0, size: 0 });
  });
  it("fused rows: size = the gathered / scattered activation M x K x elem (K = N = hidden), M whole rows per rank", () => {
    // 1 MiB of float32 at K = 64: 4096 rows, 1024 per rank on 4 ranks
    expect(rowShape("fused_all_gather_matmul", 1 << 20, 4, "float32", 2, 64))
      .toEqual({ inCount: 1024 * 64, outCount: 4096 * 64, count: 1024 * 64, size: 1 << 20, mm: { m: 4096, k: 64, n: 64 } });
    expect(rowShape("fused_matmul_reduce_scatter", 1 << 20, 4, "float32", 2, 64))
      .toEqual({ inCount: 4096 * 64, outCount: 1024 * 64, count: 1024 * 64, size: 1 << 20, mm: { m: 4096, k: 64, n: 64 } });
    // 1000 B of f16 at K = 8 on 3 ranks: 62.5 rows, 20 per rank → M = 60
    expect(rowShape("fused_all_gather_matmul", 1000, 3, "float16", 2, 8)).toMatchObject({ count: 160, size: 960, mm: { m: 60 } });
    expect(rowShape("fused_matmul_reduce_scatter", 16, 4, "float32", 2, 8)).toMatchObject({ count: 0, size: 0, mm: { m: 0 } });
    // their bandwidth is their collective's: count × n × elem / t, busbw × (n−1)/n
    const { algbw, busbw } = bandwidth("fused_all_gather_matmul", 1024 * 64, 4, "float32", 1e6);
    expect(algbw).toBeCloseTo((1 << 20) / 1e6 / 1e3, 12);
    expect(busbw).toBeCloseTo(algbw * 0.75, 12);
    expect(busFactor("fused_matmul_reduce_scatter", 2)).toBe(0.5);
  });
});
