/**
 * What one `rank.call` costs on the host, per call, without the benchmark's barrier and drain:
 * `symm_mem::one_shot_all_reduce` of 8 bytes of a heap tensor on the cpu backend, called back to
 * back (each awaited), on `--ranks` ranks (default 1: no peer to wait for, the dispatch path
 * alone). Prints the mean and median of `--rounds` rounds of `--calls` calls each, per rank; the
 * result of the last call is checked. Not a test; run it by hand (it is also its own rank module):
 *
 *   npx deno run -A --no-check test/perf/dispatch-cost.ts [--ranks 1] [--calls 20000] [--rounds 9] [--barrier]
 *
 * `--barrier`: the calls are the rendezvous handle's barriers alone (the op makes two).
 */
import { launch, type Rank, type Tensor } from "../../src/internal.ts";

declare const Deno: { args: string[] } | undefined;

export interface CostResult {
  readonly rank: number;
  readonly perRoundUs: number[];
  readonly last: number[];
}

/** Rank side: `rounds` × `calls` calls, µs per call per round. */
export async function cost(rank: Rank, spec: { calls: number; rounds: number; barrier: boolean }): Promise<CostResult> {
  const x = rank.symm.empty([2], "float32");
  x.data.set([rank.rank + 1, 10 * (rank.rank + 1)]);
  await rank.symm.rendezvous(x);
  const args = { input: x, reduce_op: "sum", group_name: "world" };
  const perRoundUs: number[] = [];
  let last: Tensor | undefined;
  const h = await rank.symm.rendezvous(x);
  for (let r = 0; r < spec.rounds + 1; r++) {
    const t0 = performance.now();
    if (spec.barrier) for (let i = 0; i < spec.calls; i++) await h.barrier();
    else for (let i = 0; i < spec.calls; i++) last = (await rank.call("symm_mem::one_shot_all_reduce", args)) as Tensor;
    if (r > 0) perRoundUs.push(((performance.now() - t0) * 1000) / spec.calls); // round 0 warms up
  }
  const values = last === undefined ? [] : Array.from(await rank.read(last) as Float32Array);
  return { rank: rank.rank, perRoundUs, last: values };
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

if (typeof Deno !== "undefined" && (import.meta as { main?: boolean }).main === true) {
  const argv = Deno.args;
  const ranks = flag(argv, "ranks", 1);
  const spec = { calls: flag(argv, "calls", 20000), rounds: flag(argv, "rounds", 9), barrier: argv.includes("--barrier") };
  const world = await launch({ worldSize: ranks, heapBytes: 1 << 16, backend: "cpu", rankModule: import.meta.url });
  try {
    const results = (await world.run("cost", spec)) as CostResult[];
    const want = [0, 1].map((k) => Array.from({ length: ranks }, (_, r) => (k === 0 ? 1 : 10) * (r + 1)).reduce((a, b) => a + b, 0));
    for (const r of results) {
      const sorted = [...r.perRoundUs].sort((a, b) => a - b);
      const mean = r.perRoundUs.reduce((a, b) => a + b, 0) / r.perRoundUs.length;
      const ok = spec.barrier || r.last.length === 2 && r.last[0] === want[0] && r.last[1] === want[1];
      console.log(`rank ${r.rank}: ${mean.toFixed(2)} µs per call mean of ${spec.rounds} rounds of ${spec.calls}, ` +
        `median round ${sorted[sorted.length >> 1].toFixed(2)}, best ${sorted[0].toFixed(2)}; result ${ok ? "ok" : `WRONG ${r.last}`}`);
    }
  } finally {
    await world.close();
  }
}
