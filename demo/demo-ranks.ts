/** Rank functions the demo page runs in every worker. */
import type { Rank } from "../src/index.ts";

/** Meets every peer at a barrier and reports how long it took from this rank's view. */
export async function barrier(rank: Rank): Promise<{ ms: number }> {
  const t = rank.symm.empty([1], "int32");
  const h = await rank.symm.rendezvous(t);
  const t0 = performance.now();
  await h.barrier();
  const ms = performance.now() - t0;
  rank.symm.free(t);
  return { ms };
}
