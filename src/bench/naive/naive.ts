/**
 * The naive postMessage all-reduce, driven from the main thread: per iteration every worker reads
 * its buffer back and posts it (transferred), the main thread sums in rank order and posts the
 * result to each worker (structured clone), each uploads it. Before each iteration (untimed) every
 * worker puts its input back. Time per iteration is measured in each worker, from its "go" to its
 * upload drained; the slowest worker's mean is reported.
 */
import type { CollectiveDType, ReduceOp } from "../../internal.ts";
import { countWrong, type RawArray } from "../data.ts";
import type { BenchRuntime } from "../flags.ts";
import { naiveReduce } from "./naive-reduce.ts";
import { type NaiveEndpoint, spawnNaive } from "./spawn.ts";

export class NaiveAllReduce {
  private constructor(
    private readonly workers: readonly NaiveEndpoint[],
    private readonly dtype: CollectiveDType,
    private readonly op: ReduceOp,
  ) {}

  static async start(
    runtime: BenchRuntime, ranks: number, backend: "webgpu" | "cpu", dtype: CollectiveDType, op: ReduceOp,
  ): Promise<NaiveAllReduce> {
    const workers: NaiveEndpoint[] = [];
    try {
      for (let r = 0; r < ranks; r++) workers.push(await spawnNaive(runtime, r));
      workers.forEach((w, rank) => w.post({ type: "init", rank, backend, dtype }));
      await Promise.all(workers.map((w) => w.next("ready")));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new NaiveAllReduce(workers, dtype, op);
  }

  /** Mean µs per iteration (slowest worker) and wrong elements of every result, when `expected` is given. */
  async measure(count: number, warmup: number, iters: number, expected?: RawArray): Promise<{ timeUs: number; wrong: number }> {
    const { workers } = this;
    workers.forEach((w) => w.post({ type: "size", count }));
    await Promise.all(workers.map((w) => w.next("sized")));
    const totals = workers.map(() => 0);
    let wrong = 0;
    for (let it = 0; it < warmup + iters; it++) {
      // Untimed: every buffer back to its input (the last iteration left the sum there).
      workers.forEach((w) => w.post({ type: "reset" }));
      await Promise.all(workers.map((w) => w.next("was_reset")));
      workers.forEach((w) => w.post({ type: "go" }));
      const parts = await Promise.all(workers.map((w) => w.next("data")));
      const sum = naiveReduce(this.dtype, this.op, parts.map((p) => p.data));
      if (expected !== undefined) wrong += countWrong(this.dtype, sum, expected, false);
      for (const w of workers) w.post({ type: "sum", data: sum.buffer as ArrayBuffer });
      const done = await Promise.all(workers.map((w) => w.next("done")));
      if (it >= warmup) done.forEach((d, r) => (totals[r] += d.ms));
    }
    return { timeUs: (Math.max(...totals) / iters) * 1000, wrong };
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
