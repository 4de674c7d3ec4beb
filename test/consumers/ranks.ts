// ranks.ts: the functions every rank runs; each gets its Rank first.
import type { Rank } from "webshmem";

/** Rank 1 writes its own copy of a symmetric tensor and signals; rank 0 reads rank 1's copy. */
export async function handshake(rank: Rank): Promise<number> {
  const t = rank.symm.empty([8], "int32");          // same allocation on every rank
  const h = await rank.symm.rendezvous(t);          // collective: checks every rank agrees
  let got = -1;
  if (rank.rank === 1) {
    t.data[0] = 42;                                 // write our own copy...
    await h.putSignal(0);                           // ...and tell rank 0
  } else if (rank.rank === 0) {
    await h.waitSignal(1);
    got = h.getBuffer(1, [8], "int32")[0];          // read rank 1's copy: 42
  }
  await h.barrier();                                // nobody frees t while a peer may still read it
  rank.symm.free(t);
  return got;
}

/** Every rank all-reduces its own values (GPU tensors on the webgpu backend) and returns the sums. */
export async function allReduce(rank: Rank, n: number): Promise<{ backend: string; values: number[] }> {
  const x = rank.tensor(Float32Array.from({ length: n }, (_, i) => rank.rank * 1000 + i));
  const sum = await rank.allReduce(x, { op: "sum" });
  return { backend: sum.backend, values: Array.from(await rank.read(sum)) };
}
