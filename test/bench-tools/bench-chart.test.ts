import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BenchChart, type ChartInput, loadBenchChart, repoRoot, sink } from "./load.ts";

const fixture = (name: string): ChartInput => ({
  name,
  doc: JSON.parse(readFileSync(resolve(import.meta.dirname, "fixtures", name), "utf8")),
});

/** Every tag closed in order, one root element: enough to tell well-formed SVG from broken. */
function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop(), `</${name}> closes the open tag`).toBe(name);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // Nothing that looks like markup was left unmatched (for instance an unescaped "<" in a label).
  const stripped = xml.replace(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, "");
  expect(stripped).not.toMatch(/[<>]/);
  expect(stripped).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
}

let chart: BenchChart;
beforeAll(async () => {
  chart = await loadBenchChart();
});

describe("bench-chart", () => {
  const inputs = () => [fixture("deno-webgpu-4.json"), fixture("openmpi-4.json")];

  it("renders well-formed SVG with one path per series and per baseline", () => {
    const svg = chart.renderChart(inputs());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith("</svg>\n")).toBe(true);
    checkWellFormed(svg);
    // two algorithms x (out-of-place, in-place) from Deno, the same two columns from MPI
    const series = [...svg.matchAll(/<path class="series" data-series="([^"]*)"/g)].map((m) => m[1]);
    expect(series).toEqual([
      "deno/webgpu/two_shot, out-of-place",
      "deno/webgpu/two_shot, in-place",
      "deno/webgpu/one_shot, out-of-place",
      "deno/webgpu/one_shot, in-place",
      "openmpi/mpi, out-of-place",
      "openmpi/mpi, in-place",
    ]);
    const baselines = [...svg.matchAll(/<path class="baseline" data-baseline="([^"]*)"[^>]*stroke-dasharray="[^"]+"/g)].map((m) => m[1]);
    expect(baselines).toEqual(["staging_floor", "naive_postmessage", "heap_memcpy", "gpu_roundtrip (11 ms at every size)"]);
    expect(svg.match(/<path /g)).toHaveLength(series.length + baselines.length);
  });

  it("labels the axes, the ticks, the legend and the baselines", () => {
    const svg = chart.renderChart(inputs(), { title: "all_reduce, 4 ranks <test> & more" });
    expect(svg).toContain("all_reduce, 4 ranks &lt;test&gt; &amp; more");
    expect(svg).toContain("message size per rank (bytes, log scale)");
    expect(svg).toContain("bus bandwidth (GB/s, log scale)");
    for (const tick of ["8 B", "2 KiB", "128 KiB", "2 MiB", "32 MiB"]) expect(svg).toContain(`>${tick}</text>`);
    for (const tick of ["0.01", "0.1", "1", "10"]) expect(svg).toContain(`>${tick}</text>`);
    expect(svg).toContain(">deno/webgpu/two_shot, in-place</text>");
    expect(svg).toContain(">openmpi/mpi, out-of-place</text>");
    expect(svg).toContain(">staging_floor, as all_reduce busbw</text>");
    expect(svg).toContain(">staging_floor</text>"); // the label at the line's end
    expect(svg).toContain("deno/webgpu, 4 ranks, llvmpipe (lavapipe); openmpi/mpi, 4 ranks");
  });

  it("is deterministic, and the CLI writes exactly what renderChart returns", () => {
    const a = chart.renderChart(inputs());
    expect(chart.renderChart(inputs())).toBe(a);
    const out = join(mkdtempSync(join(tmpdir(), "bench-chart-")), "sub", "chart.svg");
    const stderr = sink();
    const files = ["deno-webgpu-4.json", "openmpi-4.json"].map((f) => resolve(import.meta.dirname, "fixtures", f));
    expect(chart.main([...files, "--out", out], { stderr })).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(a);
    expect(stderr.text).toMatch(/6 series, 4 baselines/);
    expect(a).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("converts baseline times with the all_reduce busbw formula", () => {
    const { baselines } = chart.buildSeries([fixture("deno-webgpu-4.json")]);
    const floor = baselines.find((b) => b.name === "staging_floor")!;
    const doc = fixture("deno-webgpu-4.json").doc as { baselines: { name: string; size: number; time_us: number }[] };
    const raw = doc.baselines.find((b) => b.name === "staging_floor" && b.size === 8 << 20)!;
    const point = floor.points.find((p) => p.size === 8 << 20)!;
    expect(point.busbw).toBeCloseTo(((8 << 20) / (raw.time_us * 1e-6) / 1e9) * (2 * 3) / 4, 9);
    expect(chart.allReduceBusbw(1e9, 1e6, 2)).toBeCloseTo(1, 12);
    const rt = baselines.find((b) => b.name === "gpu_roundtrip")!;
    expect(rt.constant).toEqual({ size: 8, time_us: 11000 });
  });

  it("converts an all-to-all file's baselines with its own bus factor, (n−1)/n, and says so", () => {
    const doc = structuredClone(fixture("deno-webgpu-4.json").doc) as { rows: { op: string }[]; baselines: { name: string; size: number; time_us: number }[] };
    for (const r of doc.rows) r.op = "all_to_all";
    const { baselines } = chart.buildSeries([{ name: "a2a", doc }]);
    const floor = baselines.find((b) => b.name === "staging_floor")!;
    const raw = doc.baselines.find((b) => b.name === "staging_floor" && b.size === 8 << 20)!;
    expect(floor.points.find((p) => p.size === 8 << 20)!.busbw).toBeCloseTo(((8 << 20) / (raw.time_us * 1e-6) / 1e9) * 3 / 4, 9);
    expect(chart.busbwOf("all_to_all_vdev_2d", 1e9, 1e6, 4)).toBeCloseTo(0.75, 12);
    expect(chart.busbwOf("broadcast", 1e9, 1e6, 4)).toBeCloseTo(1, 12);
    expect(chart.renderChart([{ name: "a2a", doc }])).toContain(">staging_floor, as all_to_all busbw</text>");
  });

  it("names ranks, dtype and redop in the labels only where the series differ in them", () => {
    const two = fixture("openmpi-4.json");
    const doc = structuredClone(two.doc) as { meta: { ranks: number } };
    doc.meta.ranks = 2;
    const labels = chart.buildSeries([two, { name: "openmpi-2.json", doc }]).series.map((s) => s.label);
    expect(labels).toEqual([
      "openmpi/mpi, 4 ranks, out-of-place",
      "openmpi/mpi, 4 ranks, in-place",
      "openmpi/mpi, 2 ranks, out-of-place",
      "openmpi/mpi, 2 ranks, in-place",
    ]);
    // the same series twice: told apart by file name
    const same = chart.buildSeries([two, { name: "again.json", doc: two.doc }]).series.map((s) => s.label);
    expect(same[2]).toBe("openmpi/mpi (again.json), out-of-place");
  });

  it("marks wrong results, and skips non-positive bandwidths on the log axis", () => {
    const doc = structuredClone(fixture("openmpi-4.json").doc) as { rows: { busbw: number; wrong: number }[] };
    doc.rows[2].wrong = 3;
    doc.rows[0].busbw = 0;
    const svg = chart.renderChart([{ doc }]);
    expect(svg.match(/class="wrong"/g)).toHaveLength(1);
    expect(svg).toContain("red ring: wrong results");
    const linear = chart.renderChart([{ doc }], { yScale: "linear" });
    expect(linear).toContain("bus bandwidth (GB/s)</text>");
    checkWellFormed(linear);
    // in log scale the 0 GB/s point has no marker; in linear scale it has one
    const markers = (s: string) => (s.match(/<circle cx/g) ?? []).length;
    expect(markers(linear) - markers(svg)).toBe(1);
  });

  it("y scales: log in decades with 2 and 5 minors, linear from 0 in nice steps", () => {
    const log = chart.makeYScale([0.004, 3.2], "log");
    expect([log.min, log.max]).toEqual([0.001, 10]);
    expect(log.ticks.filter((t) => t.major).map((t) => t.label)).toEqual(["0.001", "0.01", "0.1", "1", "10"]);
    expect(log.fraction(0.001)).toBe(0);
    expect(log.fraction(10)).toBe(1);
    const lin = chart.makeYScale([0, 7.3], "linear");
    expect(lin.min).toBe(0);
    expect(lin.ticks.map((t) => t.label)).toEqual(["0", "2", "4", "6", "8"]);
    expect(chart.formatBytes(8)).toBe("8 B");
    expect(chart.formatBytes(64 << 20)).toBe("64 MiB");
  });

  it("parses its arguments and refuses bad ones", () => {
    expect(chart.parseArgs(["a.json", "b.json", "--out", "x.svg", "--title", "T"])).toEqual({
      help: false, files: ["a.json", "b.json"], out: "x.svg", title: "T", yScale: "log", baselines: "all",
    });
    expect(chart.parseArgs(["a.json", "--baselines", "first"]).baselines).toBe("first");
    expect(() => chart.parseArgs(["a.json", "--baselines", "some"])).toThrow(/all or first/);
    expect(chart.parseArgs(["a.json", "--y=linear"]).yScale).toBe("linear");
    expect(() => chart.parseArgs([])).toThrow(/no input JSON files/);
    expect(() => chart.parseArgs(["a.json", "--width", "3"])).toThrow(/unknown flag --width/);
    expect(() => chart.parseArgs(["a.json", "--y", "sqrt"])).toThrow(/log or linear/);
    const stderr = sink();
    expect(chart.main([resolve(repoRoot, "no-such-file.json")], { stderr })).toBe(1);
    expect(stderr.text).toMatch(/cannot read .*no-such-file.json/);
  });
});
