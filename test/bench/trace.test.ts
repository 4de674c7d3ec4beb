import { describe, expect, it } from "vitest";
import { parseFlags } from "../../src/bench/flags.ts";
import { Recorder } from "../../src/bench/recorder.ts";
import { parseTrace, type RowTrace, spreadLines, stallLines, stallSummary, summarizeTrace, traceJson } from "../../src/bench/trace.ts";

const rows: RowTrace[] = [
  {
    label: "8 B in-place webshmem::host_all_reduce_",
    ranks: [
      [
        { name: "iteration", iter: 0, start: 1000, end: 1010 }, { name: "readback", iter: 0, start: 1001, end: 1004 },
        { name: "iteration", iter: 1, start: 2000, end: 2012 }, { name: "readback", iter: 1, start: 2001, end: 2003 },
      ],
      [
        { name: "iteration", iter: 0, start: 1002, end: 1011 }, { name: "readback", iter: 0, start: 1003, end: 1008 },
        { name: "iteration", iter: 1, start: 2001, end: 2010 }, { name: "readback", iter: 1, start: 2002, end: 2006 },
      ],
    ],
  },
  { label: "8 B naive_postmessage", ranks: [[{ name: "iteration", iter: 0, start: 3000, end: 3005 }], []] },
];

describe("--trace", () => {
  it("writes the Trace Event Format: a named process per row, a thread per rank, µs from the first span", () => {
    const doc = JSON.parse(traceJson(rows, { runtime: "deno" }));
    expect(doc.displayTimeUnit).toBe("ms");
    expect(doc.otherData).toEqual({ runtime: "deno" });
    const names = doc.traceEvents.filter((e: { name: string }) => e.name === "process_name").map((e: { args: { name: string } }) => e.args.name);
    expect(names).toEqual(rows.map((r) => r.label));
    const threads = doc.traceEvents.filter((e: { name: string; pid: number }) => e.name === "thread_name" && e.pid === 0);
    expect(threads.map((e: { tid: number; args: { name: string } }) => [e.tid, e.args.name])).toEqual([[0, "rank 0"], [1, "rank 1"]]);
    const spans = doc.traceEvents.filter((e: { ph: string }) => e.ph === "X");
    expect(spans).toHaveLength(9);
    expect(spans[0]).toEqual({ name: "iteration", ph: "X", pid: 0, tid: 0, ts: 0, dur: 10_000, args: { iter: 0 } });
    expect(spans.at(-1)).toMatchObject({ pid: 1, tid: 0, ts: 2_000_000, dur: 5000 });
  });

  it("reads its own output back", () => {
    const back = parseTrace(traceJson(rows));
    expect(back.map((r) => r.label)).toEqual(rows.map((r) => r.label));
    // Times come back relative to the first span, in ms.
    expect(back[0].ranks[1][1]).toEqual({ name: "readback", iter: 0, start: 3, end: 8 });
    expect(back[1].ranks).toHaveLength(1);
    expect(() => parseTrace("{}")).toThrow(/no traceEvents/);
  });

  it("summarises per step when the first and the last rank started and ended it, medians over iterations", () => {
    const [op] = summarizeTrace(rows);
    expect(op.iterations).toBe(2);
    expect(op.steps.map((s) => s.name)).toEqual(["iteration", "readback"]);
    // iteration 0: starts 0 and 2, ends 10 and 11; iteration 1: starts 0 and 1, ends 12 and 10.
    expect(op.steps[0]).toEqual({ name: "iteration", ranks: 2, firstStart: 0, lastStart: 1.5, firstEnd: 10, lastEnd: 11.5 });
    // readback 0: starts 1 and 3, ends 4 and 8; readback 1: starts 1 and 2, ends 3 and 6.
    expect(op.steps[1]).toEqual({ name: "readback", ranks: 2, firstStart: 1, lastStart: 2.5, firstEnd: 3.5, lastEnd: 7 });
    const lines = spreadLines(summarizeTrace(rows));
    expect(lines[0]).toContain("8 B in-place webshmem::host_all_reduce_ (2 iterations");
    expect(lines.some((l) => /^\s+readback\s+2\s+1\.00\s+2\.50\s+3\.50\s+7\.00$/.test(l))).toBe(true);
  });

  it("the recorder keeps spans only between startTrace and takeSpans, labelled with their iteration", async () => {
    const r = new Recorder();
    r.begin(0);
    await r.span("readback", true, async () => {});
    r.end(1);
    r.note("iteration", 1, 2);
    expect(r.takeSpans()).toEqual([]);
    r.startTrace();
    r.begin(3);
    await r.span("barrier", true, async () => {});
    r.spanSync("upload", true, () => {});
    r.end(1);
    r.note("iteration", 10, 20);
    const spans = r.takeSpans();
    expect(spans.map((s) => [s.name, s.iter])).toEqual([["barrier", 3], ["upload", 3], ["iteration", 3]]);
    expect(spans[0].end).toBeGreaterThanOrEqual(spans[0].start);
    r.note("iteration", 1, 2);
    expect(r.takeSpans()).toEqual([]);
  });

  it("is a path flag, off by default", () => {
    expect(parseFlags([]).trace).toBeUndefined();
    expect(parseFlags(["--trace", "t.json"]).trace).toBe("t.json");
    expect(() => parseFlags(["--trace="])).toThrow(/expects a file name/);
  });
});

describe("--trace: the tail", () => {
  // Rank 0: iterations of 10, 10, 10 and 2000 µs; rank 1: 10, 10, 300 and 10 µs. The 2 ms one
  // waited 1900 µs in "barrier"; a benchmark barrier before it (outside the iteration) is not counted.
  const span = (name: string, iter: number, start: number, us: number) => ({ name, iter, start, end: start + us / 1000 });
  const rows: RowTrace[] = [{
    label: "8 B out-of-place",
    ranks: [
      [span("iteration", 0, 0, 10), span("iteration", 1, 1, 10), span("iteration", 2, 2, 10),
        span("bench_barrier", 3, 2.5, 400), span("iteration", 3, 3, 2000), span("barrier", 3, 3.05, 1900), span("kernel", 3, 4.96, 20)],
      [span("iteration", 0, 0, 10), span("iteration", 1, 1, 10), span("iteration", 2, 2, 300), span("iteration", 3, 3, 10)],
    ],
  }];

  it("counts the slow rank-iterations, their share of the time, and the steps they waited in", () => {
    const [s] = stallSummary(rows);
    expect(s.count).toBe(8);
    expect(s.medianUs).toBeCloseTo(10, 6);
    expect(s.meanUs).toBeCloseTo((6 * 10 + 300 + 2000) / 8, 6);
    expect(s.over.map((o) => o.count)).toEqual([2, 1]);
    expect(s.over[1].share).toBeCloseTo(2000 / 2360, 6);
    expect(s.slowSteps.map((x) => x.name)).toEqual(["barrier", "kernel"]);
    expect(s.slowSteps[0].us).toBeCloseTo(1900, 6);
    const [line] = stallLines([s]);
    expect(line).toMatch(/8 rank-iterations, median 10\.0 µs, mean 295\.0.*2 over 100 µs .*1 over 1000 µs \(85 % of the time\); those over 1000 µs spent it in barrier 1900 µs, kernel 20 µs$/);
  });

  it("reads a file written by traceJson the same way, and skips rows without iterations", () => {
    const back = stallSummary(parseTrace(traceJson([...rows, { label: "empty", ranks: [[]] }])));
    expect(back).toHaveLength(1);
    expect(back[0].over.map((o) => o.count)).toEqual([2, 1]);
    expect(back[0].slowSteps[0].name).toBe("barrier");
  });
});
