// One real run of the benchmark core on Node: 2 ranks, cpu backend, 8 B – 1 KiB, every result
// checked, baselines (naive postMessage workers of its own, heap memcpy) measured beside it.
import { describe, expect, it } from "vitest";
import { benchMain } from "../../src/bench/main.ts";
import { NAIVE_PAGE_MAX_BYTES, naiveFits } from "../../src/bench/runner.ts";
import { parseTrace, summarizeTrace } from "../../src/bench/trace.ts";

describe("benchmark end to end (node, cpu, 2 ranks)", () => {
  it("prints the table and baselines and returns JSON with wrong 0 everywhere", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const outcome = await benchMain(
      ["--runtime", "node", "-g", "2", "-b", "8", "-e", "1K", "-f", "4", "-n", "3", "-w", "1", "--algo", "two_shot",
        "--breakdown", "--json", "out.json"],
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      { version: "test" },
    );
    expect(err.filter((l) => !l.startsWith("[bench]"))).toEqual([]);
    expect(outcome.code).toBe(0);
    expect(out).toContain("#       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong");
    expect(out).toContain("# Out of bounds values : 0 OK");
    expect(out.some((l) => /^# Avg bus bandwidth {4}: \S+$/.test(l))).toBe(true);
    const rows = out.filter((l) => /^\s+\d+\s+\d+\s+float\s+sum\s+-1\s/.test(l));
    expect(rows).toHaveLength(4); // 8, 32, 128, 512 B: ×4 from 8 skips 1 KiB, as nccl-tests' loop does
    expect(out.some((l) => l.includes("naive_postmessage") && l.includes("heap_memcpy"))).toBe(true);
    expect(out.some((l) => /^\s+two_shot\s+in-place\s+512\s/.test(l))).toBe(true); // the breakdown
    expect(err.filter((l) => l.startsWith("[bench]"))).toHaveLength(rows.length);

    const j = JSON.parse(outcome.json ?? "null");
    expect(outcome.jsonPath).toBe("out.json");
    expect(j.meta).toMatchObject({ runtime: "node", backend: "cpu", ranks: 2, version: "test" });
    expect(j.rows.length).toBe(2 * rows.length);
    for (const r of j.rows) {
      expect(r).toMatchObject({ op: "all_reduce", algo: "two_shot", dtype: "float32", redop: "sum", wrong: 0 });
      expect(r.time_us).toBeGreaterThan(0);
      // the median iteration beside the mean: at least half the iterations take the median or longer, so mean ≥ median / 2
      expect(r.median_us).toBeGreaterThan(0);
      expect(r.median_us).toBeLessThanOrEqual(r.time_us * 2 + 1e-9);
    }
    expect(new Set(j.baselines.map((b: { name: string }) => b.name))).toEqual(new Set(["naive_postmessage", "heap_memcpy"]));
  });

  it("--trace: every rank's spans of every timed iteration, for each placement and the naive baseline", async () => {
    const outcome = await benchMain(
      ["--runtime", "node", "-g", "2", "-b", "64", "-e", "64", "-n", "3", "-w", "1", "--algo", "two_shot", "--trace", "t.json"],
      { out: () => {}, err: () => {} },
    );
    expect(outcome.code).toBe(0);
    expect(outcome.tracePath).toBe("t.json");
    expect(outcome.json).toBeUndefined();
    const rows = parseTrace(outcome.trace!);
    expect(rows.map((r) => r.label)).toEqual([
      "64 B out-of-place symm_mem::two_shot_all_reduce_out", "64 B in-place symm_mem::two_shot_all_reduce_", "64 B naive_postmessage",
    ]);
    for (const row of rows) {
      expect(row.ranks).toHaveLength(2);
      for (const spans of row.ranks) {
        // one iteration span per timed iteration (not the warm-up), each holding the steps recorded in it
        const iterations = spans.filter((s) => s.name === "iteration");
        expect(iterations.map((s) => s.iter)).toEqual([0, 1, 2]);
        for (const s of spans) {
          const it = iterations[s.iter];
          expect(s.end).toBeGreaterThanOrEqual(s.start);
          if (s.name !== "bench_barrier") {
            expect(s.start).toBeGreaterThanOrEqual(it.start - 0.01);
            expect(s.end).toBeLessThanOrEqual(it.end + 0.01);
          }
        }
      }
    }
    expect(new Set(rows[0].ranks[0].map((s) => s.name))).toEqual(new Set(["bench_barrier", "iteration", "barrier", "kernel", "drain"]));
    expect(new Set(rows[2].ranks[1].map((s) => s.name))).toEqual(new Set(["iteration", "readback", "main_thread", "upload"]));
    const [op] = summarizeTrace(rows);
    expect(op.steps.map((s) => s.name)).toContain("barrier");
  });

  it("the all-to-alls (3 ranks): every result checked in the ranks, the naive exchange beside them, bytes moved listed", async () => {
    for (const op of ["all_to_all", "all_to_all_vdev_2d"] as const) {
      const out: string[] = [];
      const err: string[] = [];
      const outcome = await benchMain(
        ["--runtime", "node", "--op", op, "-g", "3", "-b", "4K", "-e", "4K", "-n", "2", "-w", "1", "--json", "a2a.json"],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
        { version: "test" },
      );
      expect(err.filter((l) => !l.startsWith("[bench]")), `${op}: ${outcome.error?.stack}`).toEqual([]);
      expect(outcome.code, op).toBe(0);
      expect(out).toContain("# Out of bounds values : 0 OK");
      expect(out.some((l) => l.includes(`out-of-place symm_mem::${op}(x, out)`))).toBe(true);
      const rows = out.filter((l) => /^\s+\d+\s+\d+\s+float\s+none\s+-1\s/.test(l));
      expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 2).map(Number))).toEqual(
        op === "all_to_all" ? [[4080, 340]] : [[4096, 1024]], // 4096 / 3 / 4 = 341 floats per peer, down to 16 bytes

      );
      expect(out.some((l) => l.startsWith("# Bytes moved per rank"))).toBe(op === "all_to_all_vdev_2d");
      const j = JSON.parse(outcome.json ?? "null");
      expect(j.rows).toHaveLength(1); // out of place only
      for (const r of j.rows) expect(r).toMatchObject({ op, inplace: false, redop: "none", wrong: 0 });
      expect(new Set(j.baselines.map((b: { name: string }) => b.name))).toEqual(new Set(["naive_postmessage", "heap_memcpy"]));
    }
  });

  it("the fused ops (2 ranks): checked against the decomposition, the unfused, comm and matmul baselines beside them", async () => {
    for (const op of ["fused_all_gather_matmul", "fused_matmul_reduce_scatter"] as const) {
      const out: string[] = [];
      const err: string[] = [];
      const outcome = await benchMain(
        ["--runtime", "node", "--op", op, "-g", "2", "-b", "8", "-e", "4K", "-f", "8", "--hidden", "8", "-n", "2", "-w", "1",
          "--breakdown", "--json", "fused.json"],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
        { version: "test" },
      );
      expect(err.filter((l) => !l.startsWith("[bench]")), `${op}: ${outcome.error?.stack}`).toEqual([]);
      expect(outcome.code, op).toBe(0);
      expect(out).toContain("# Out of bounds values : 0 OK");
      expect(out.some((l) => l.includes(`out-of-place symm_mem::${op}(A, `))).toBe(true);
      const rows = out.filter((l) => /^\s+\d+\s+\d+\s+float\s+(none|sum)\s+-1\s/.test(l));
      // 8, 64, 512, 4096 B: M = size / (8 columns x 4 B), rounded down to whole rows per rank (8 and 64 B: none)
      expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 2).map(Number))).toEqual([[0, 0], [64, 8], [512, 64], [4096, 512]]);
      const fusion = out.slice(out.findIndex((l) => l.startsWith("# Fusion")));
      expect(fusion.filter((l) => /^\s+\d+\s+\d+\s+8\s+8\s/.test(l))).toHaveLength(4);
      const j = JSON.parse(outcome.json ?? "null");
      expect(j.rows).toHaveLength(4); // the fused op only (no in-place form)
      for (const r of j.rows) expect(r).toMatchObject({ op, inplace: false, wrong: 0, k: 8, n: 8 });
      expect(j.rows.map((r: { m: number }) => r.m)).toEqual([0, 2, 16, 128]);
      expect(new Set(j.baselines.map((b: { name: string }) => b.name))).toEqual(new Set(["unfused", "comm", "matmul", "heap_memcpy"]));
      expect(out.some((l) => /^\s+default\s+out-of-place\s+4096\s/.test(l))).toBe(true); // the breakdown
    }
  }, 60_000);

  it("a bad flag is exit code 2 with a message, and runs nothing", async () => {
    const err: string[] = [];
    const outcome = await benchMain(["--runtime", "node", "-d", "double"], { out: () => {}, err: (l) => err.push(l) });
    expect(outcome.code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^bench: -d\/--datatype expects one of float, half/)]);
  });
});

describe("the naive baseline's page limit", () => {
  it("Chromium skips it past 512 MiB of worker buffers (16 × 64 MiB crashed the renderer); Deno and Node always run it", () => {
    expect(NAIVE_PAGE_MAX_BYTES).toBe(512 * 1024 * 1024);
    expect(naiveFits("chromium", 16 * 32 * 1024 * 1024)).toBe(true);
    expect(naiveFits("chromium", 16 * 64 * 1024 * 1024)).toBe(false);
    expect(naiveFits("deno", 16 * 64 * 1024 * 1024)).toBe(true);
    expect(naiveFits("node", 2 ** 40)).toBe(true);
  });
});
