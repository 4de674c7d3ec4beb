// ranks.mjs: the functions every rank runs, in plain JavaScript (Node loads it as it is).

/** Rank 1 writes its own copy of a symmetric tensor and signals; rank 0 reads rank 1's copy. */
/** @param {import("webshmem").Rank} rank */
export async function handshake(rank) {
  const t = rank.symm.empty([8], "int32");
  const h = await rank.symm.rendezvous(t);
  let got = -1;
  if (rank.rank === 1) {
    t.data[0] = 42;
    await h.putSignal(0);
  } else if (rank.rank === 0) {
    await h.waitSignal(1);
    got = h.getBuffer(1, [8], "int32")[0];
  }
  await h.barrier();
  rank.symm.free(t);
  return got;
}

/** Every rank all-reduces its own values and returns the sums. */
/** @param {import("webshmem").Rank} rank */
export async function allReduce(rank, n) {
  const x = rank.tensor(Float32Array.from({ length: n }, (_, i) => rank.rank * 1000 + i));
  const sum = await rank.allReduce(x, { op: "sum" });
  return { backend: sum.backend, values: Array.from(await rank.read(sum)) };
}
