/**
 * The naive postMessage collective, driven from the main thread: per iteration every worker reads
 * its buffer back and posts it (transferred), the main thread computes the result (naive-exchange.ts:
 * the sum in rank order, or each worker's chunks of an all-to-all) and posts it to each worker
 * (structured clone), each uploads it. Before each iteration (untimed) every worker puts its input
 * back. Time per iteration is measured in each worker, from its "go" to its upload drained; the
 * slowest worker's mean is reported (and, for --trace, each worker's go, data posted, sum received
 * and done as spans). Results are checked after the iteration's timing, on the main thread.
 */
import type { CollectiveDType } from "../../internal.ts";
import { countWrong, type RawArray } from "../data.ts";
import type { TraceSpan } from "../trace.ts";
import type { BenchRuntime } from "../flags.ts";
import type { NaiveExpected, NaiveStep } from "./naive-exchange.ts";
import { type NaiveEndpoint, spawnNaive } from "./spawn.ts";

export class NaiveCollective {
  private constructor(
    private readonly workers: readonly NaiveEndpoint[],
    private readonly dtype: CollectiveDType,
  ) {}

  static async start(
    runtime: BenchRuntime, ranks: number, backend: "webgpu" | "cpu", dtype: CollectiveDType,
  ): Promise<NaiveCollective> {
    const workers: NaiveEndpoint[] = [];
    try {
      for (let r = 0; r < ranks; r++) workers.push(await spawnNaive(runtime, r));
      workers.forEach((w, rank) => w.post({ type: "init", rank, backend, dtype }));
      await Promise.all(workers.map((w) => w.next("ready")));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new NaiveCollective(workers, dtype);
  }

  /**
   * Mean µs per iteration (slowest worker) of `step` on inputs of `count` elements (results of
   * `outCount`, the largest of them), and the wrong elements of every result, when `expected` is given.
   */
  async measure(
    step: NaiveStep, count: number, outCount: number, warmup: number, iters: number, expected?: NaiveExpected,
  ): Promise<{ timeUs: number; wrong: number; trace: TraceSpan[][] }> {
    const { workers } = this;
    workers.forEach((w) => w.post({ type: "size", count, outCount }));
    await Promise.all(workers.map((w) => w.next("sized")));
    const totals = workers.map(() => 0);
    const trace: TraceSpan[][] = workers.map(() => []);
    const want = typeof expected === "function" ? workers.map((_, r) => expected(r)) : undefined;
    let wrong = 0;
    for (let it = 0; it < warmup + iters; it++) {
      // Untimed: every buffer back to its input (the last iteration left the sum there).
      workers.forEach((w) => w.post({ type: "reset" }));
      await Promise.all(workers.map((w) => w.next("was_reset")));
      workers.forEach((w) => w.post({ type: "go" }));
      const parts = await Promise.all(workers.map((w) => w.next("data")));
      const result = step(parts.map((p) => p.data));
      const each = ArrayBuffer.isView(result) ? workers.map(() => result.buffer as ArrayBuffer) : result as readonly ArrayBuffer[];
      workers.forEach((w, r) => w.post({ type: "sum", data: each[r] }));
      const done = await Promise.all(workers.map((w) => w.next("done")));
      if (it >= warmup) {
        done.forEach((d, r) => {
          totals[r] += d.ms;
          const [go, data, sum, end] = d.at;
          const iter = it - warmup;
          trace[r].push({ name: "iteration", iter, start: go, end }, { name: "readback", iter, start: go, end: data },
            { name: "main_thread", iter, start: data, end: sum }, { name: "upload", iter, start: sum, end });
        });
      }
      if (expected !== undefined) {
        each.forEach((data, r) => {
          if (ArrayBuffer.isView(result) && r > 0) return; // one result for all: checked once
          const w = want?.[r] ?? (expected as RawArray);
          wrong += countWrong(this.dtype, new (w.constructor as new (b: ArrayBuffer) => RawArray)(data), w, false);
        });
      }
    }
    return { timeUs: (Math.max(...totals) / iters) * 1000, wrong, trace };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(async (w) => {
      try {
        w.post({ type: "close" });
        await Promise.race([w.next("closed"), new Promise((res) => setTimeout(res, 3000))]);
      } catch {
        // ending it anyway
      }
      await w.terminate();
    }));
  }
}
