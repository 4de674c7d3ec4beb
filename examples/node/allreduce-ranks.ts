// The rank module of examples/node/allreduce-webgpu.mjs: every rank all-reduces 1 Mi float32 GPU
// tensors with the tuning table's algorithm and with two-shot (WGSL), and checks both results
// against the cpu reference computed from every rank's input.
import type { Rank } from "../../src/index.ts";
import { referenceReduce } from "../../src/internal.ts";

export const N = 1 << 20;

/** Rank r's input: deterministic, so every rank can compute the expected sum itself. */
function inputOf(r: number): Float32Array {
  return Float32Array.from({ length: N }, (_, i) => Math.fround(((i * 7 + r * 13) % 101) / 16 - 3));
}

export async function allReduce(rank: Rank) {
  const expected = Float32Array.from(referenceReduce("float32", "sum", Array.from({ length: rank.worldSize }, (_, r) => inputOf(r))));
  const wrongIn = (got: ArrayLike<number>) => {
    let wrong = 0;
    for (let i = 0; i < N; i++) if (got[i] !== expected[i]) wrong++;
    return wrong;
  };
  const x = rank.tensor(inputOf(rank.rank)); // a GPU tensor: rank.backend is "webgpu"
  let t0 = performance.now();
  const auto = await rank.allReduce(x);
  const autoMs = performance.now() - t0;
  const autoWrong = wrongIn(await rank.read(auto));
  t0 = performance.now();
  const two = await rank.allReduce(x, { algo: "two_shot" });
  const twoMs = performance.now() - t0;
  const twoWrong = wrongIn(await rank.read(two));
  return { backend: auto.backend, autoWrong, twoWrong, autoMs, twoMs };
}
