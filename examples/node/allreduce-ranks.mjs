// The rank module of examples/node/allreduce.mjs, plain JavaScript: Node loads it as it is in
// every rank's worker thread. Every rank all-reduces 1 Mi float32 tensors (GPU tensors on the
// webgpu backend) with the tuning table's algorithm and with two-shot, and checks both results
// against the sum of every rank's input, computed here.

export const N = 1 << 20;

/** Rank r's input: deterministic, so every rank can compute the expected sum itself. */
function inputOf(r) {
  return Float32Array.from({ length: N }, (_, i) => Math.fround(((i * 7 + r * 13) % 101) / 16 - 3));
}

/** @param {import("webshmem").Rank} rank */
export async function allReduce(rank) {
  // Sum in rank order in float32, as the library does: the result is bitwise the same.
  const expected = new Float32Array(N);
  for (let r = 0; r < rank.worldSize; r++) {
    const x = inputOf(r);
    for (let i = 0; i < N; i++) expected[i] = Math.fround(expected[i] + x[i]);
  }
  const wrongIn = (got) => {
    let wrong = 0;
    for (let i = 0; i < N; i++) if (got[i] !== expected[i]) wrong++;
    return wrong;
  };
  const x = rank.tensor(inputOf(rank.rank)); // a tensor of the launch's backend
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
