// npx deno run -A deno/examples/allreduce.ts
//
// One-shot and two-shot all-reduce of 1 Mi float32 on 4 ranks with WebGPU (WGSL kernels), each
// result checked against the cpu reference computed from every rank's input. This file is also
// the rank module; only the main module launches.
import { describeAdapter, launch, type Rank } from "../../src/index.ts";
import { referenceReduce } from "../../src/core/reduce-math.ts";

const N = 1 << 20;

/** Rank r's input: deterministic, so every rank can compute the expected sum itself. */
function inputOf(r: number): Float32Array {
  return Float32Array.from({ length: N }, (_, i) => Math.fround(((i * 7 + r * 13) % 101) / 16 - 3));
}

export async function allReduce(rank: Rank) {
  const expected = Float32Array.from(referenceReduce("float32", "sum",
    Array.from({ length: rank.worldSize }, (_, r) => inputOf(r))));
  const t = rank.symm.empty([N], "float32");
  const check = (got: ArrayLike<number>) => {
    let wrong = 0;
    for (let i = 0; i < N; i++) if (got[i] !== expected[i]) wrong++;
    return wrong;
  };

  t.data.set(inputOf(rank.rank));
  await rank.symm.rendezvous(t);
  let t0 = performance.now();
  const one = await rank.ops.symm_mem.one_shot_all_reduce(t, "sum", "world");
  const oneMs = performance.now() - t0;
  const oneWrong = check(await rank.read(one as never));

  t.data.set(inputOf(rank.rank));
  t0 = performance.now();
  await rank.ops.symm_mem.two_shot_all_reduce_(t, "sum", "world");
  const twoMs = performance.now() - t0;
  const twoWrong = check(t.data);
  return { oneWrong, twoWrong, oneMs, twoMs };
}

if (import.meta.main) {
  const world = await launch({ worldSize: 4, heapBytes: 16 << 20, backend: "webgpu", rankModule: import.meta.url });
  try {
    console.log(`4 ranks on ${describeAdapter(world.adapters[0])}, ${N} float32 (${(N * 4) >> 20} MiB) per rank`);
    const results = await world.run<{ oneWrong: number; twoWrong: number; oneMs: number; twoMs: number }>("allReduce");
    for (const [r, x] of results.entries()) {
      console.log(`rank ${r}: one_shot ${x.oneMs.toFixed(1)} ms, ${x.oneWrong} wrong; ` +
        `two_shot ${x.twoMs.toFixed(1)} ms, ${x.twoWrong} wrong`);
    }
    const ok = results.every((x) => x.oneWrong === 0 && x.twoWrong === 0);
    console.log(ok ? "verified" : "NOT verified");
    if (!ok) Deno.exitCode = 1;
  } finally {
    await world.close();
  }
}
