/** The Launch panel's rank functions: a barrier every rank meets at. */
import type { Rank } from "../../src/index.ts";

/** Meets every peer at a barrier and reports how long it took from this rank's view. */
export async function launchBarrier(rank: Rank): Promise<{ ms: number }> {
  const t = rank.symm.empty([1], "int32");
  const h = await rank.symm.rendezvous(t);
  const t0 = performance.now();
  await h.barrier();
  const ms = performance.now() - t0;
  rank.symm.free(t);
  return { ms };
}
