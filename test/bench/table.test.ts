import { describe, expect, it } from "vitest";
import { formatG, formatTime } from "../../src/bench/format.ts";
import type { Measured, RowResult } from "../../src/bench/report.ts";
import { footer, tableHeader, tableRow } from "../../src/bench/table.ts";

// The header as nccl-tests prints it, character for character.
const NCCL_HEADER = [
  "#       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong",
  "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)",
];

const m = (timeUs: number, algbw: number, busbw: number, wrong: number | null): Measured =>
  ({ opName: "symm_mem::x", timeUs, algbw, busbw, wrong });

function row(over: Partial<RowResult> = {}): RowResult {
  return {
    op: "all_reduce", algo: "one_shot", size: 33554432, count: 8388608, dtype: "float32", redop: "sum", root: -1,
    outOfPlace: m(12345.678, 2.718, 4.077, 0), inPlace: m(99.5, 0.1, 0.15, 3), ...over,
  };
}

describe("the nccl-tests table", () => {
  it("prints the column header exactly as nccl-tests, under an out-of-place / in-place line", () => {
    const h = tableHeader();
    expect(h.slice(1)).toEqual(NCCL_HEADER);
    expect(h[0]).toMatch(/^#\s+out-of-place\s+in-place$/);
    // each group title sits over its own columns
    expect(h[0].indexOf("out-of-place")).toBeGreaterThan(NCCL_HEADER[0].indexOf("root"));
    expect(h[0].indexOf("in-place")).toBeGreaterThan(NCCL_HEADER[0].indexOf("#wrong"));
  });

  it("prints a row in the header's columns: %12 size, %12 count, %8 type, %6 redop, %6 root, then 2 × (%7 time %6.2f %6.2f %6 wrong)", () => {
    const line = tableRow(row());
    expect(line).toBe(
      "    33554432       8388608     float     sum      -1    12346    2.72    4.08       0    99.50    0.10    0.15       3",
    );
    expect(line.length).toBe(NCCL_HEADER[0].length);
    // every column ends where its header ends
    for (const title of ["size", "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong"]) {
      const end = NCCL_HEADER[0].indexOf(title) + title.length;
      expect(line[end - 1]).not.toBe(" ");
      expect(line[end] ?? " ").toBe(" ");
    }
  });

  it("prints N/A for a placement that does not exist and for an unchecked #wrong", () => {
    const line = tableRow(row({ dtype: "bfloat16", redop: "none", root: 0, inPlace: null, outOfPlace: m(5, 0, 0, null) }));
    expect(line).toBe(
      "    33554432       8388608  bfloat16    none       0     5.00    0.00    0.00     N/A      N/A     N/A     N/A     N/A",
    );
  });

  it("formats time as nccl-tests: 2 decimals below 100 us, 1 below 10 ms, none above", () => {
    expect(formatTime(12.345)).toBe("  12.35");
    expect(formatTime(123.45)).toBe("  123.5");
    expect(formatTime(12345.6)).toBe("  12346");
  });

  it("ends with the out-of-bounds count and the average bus bandwidth (%g)", () => {
    expect(footer([row()])).toEqual(["# Out of bounds values : 3 FAILED", `# Avg bus bandwidth    : ${formatG((4.077 + 0.15) / 2)}`, "#"]);
    expect(footer([row({ inPlace: null })])).toEqual(["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 4.077", "#"]);
  });

  it.each([
    [0, "0"], [4.077, "4.077"], [0.000231623, "0.000231623"], [0.00001234567, "1.23457e-05"], [1234567, "1.23457e+06"],
    [123456, "123456"], [2.5, "2.5"], [100, "100"],
  ])("formatG(%d) = %s, as C's %%g", (x, s) => {
    expect(formatG(x)).toBe(s);
  });
});
