/** Rank functions of the heap-inspection tests (test/heap-inspection/*.test.ts), run on the cpu backend. */
import type { HeapSnapshot, Rank } from "../../src/index.ts";

/** Two labelled tensors, one unlabelled, one freed; then a realizing all-reduce of each algorithm. */
export async function inspectAfterCollectives(rank: Rank): Promise<{ before: HeapSnapshot; after: HeapSnapshot }> {
  const a = rank.symm.empty([100], "float32", { label: "activations" });
  const b = rank.symm.empty([3, 5], "int32");
  const c = rank.symm.empty([64], "bfloat16", { label: "scratch" });
  rank.symm.free(b);
  const before = rank.symm.snapshot();
  const x = rank.tensor(Float32Array.from({ length: 300 }, (_, i) => rank.rank + i));
  for (const algo of ["one_shot", "two_shot", "host"] as const) await rank.allReduce(x, { algo });
  const after = rank.symm.snapshot();
  rank.symm.free(a);
  rank.symm.free(c);
  return { before, after };
}

/**
 * Rank `src` raises its signal in rank `dst`'s pad on `channel` of `groupRanks` (the world when
 * empty); then every rank adds 1 to go[1] (so the main thread knows all are past their barriers)
 * and members wait until the main thread sets go[0] to 1, and `dst` consumes the signal. Every rank reports its snapshot, so the test can find the slot with padWord.
 */
export async function signalAndHold(
  rank: Rank, go: SharedArrayBuffer, groupRanks: number[], src: number, dst: number, channel: number,
): Promise<HeapSnapshot> {
  const group = groupRanks.length === 0 ? rank.symm.world : await rank.symm.newGroup(groupRanks, { name: "pair" });
  const snapshot = rank.symm.snapshot();
  const flag = new Int32Array(go);
  if (!group.isMember) {
    Atomics.add(flag, 1, 1);
    return snapshot;
  }
  const t = rank.symm.empty([1], "int32", { group });
  const h = await rank.symm.rendezvous(t);
  if (group.rank === src) await h.putSignal(dst, { channel });
  Atomics.add(flag, 1, 1);
  while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 2));
  if (group.rank === dst) await h.waitSignal(src, { channel });
  await h.barrier();
  rank.symm.free(t);
  return snapshot;
}
