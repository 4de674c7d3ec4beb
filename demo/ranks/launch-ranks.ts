/** The Launch panel's rank functions: a barrier every rank meets at, checking the heap is shared. */
import type { Rank } from "../../src/index.ts";

/** What one rank reports from {@link launchBarrier}. */
export interface LaunchBarrierResult {
  /** The rank that answered, and the world size it was told. */
  rank: number;
  worldSize: number;
  /** How long the barrier took from this rank's view, in ms. */
  ms: number;
  /** The value each peer wrote into its slab before the barrier, as this rank read it after (peer p writes p + 1). */
  seen: number[];
}

/**
 * Each rank writes `rank + 1` into its own slot of a symmetric tensor, meets every peer at a
 * barrier, then reads every peer's slot: a world whose heap is really shared sees 1, 2, …, n.
 */
export async function launchBarrier(rank: Rank): Promise<LaunchBarrierResult> {
  const t = rank.symm.empty([1], "int32");
  try {
    const h = await rank.symm.rendezvous(t);
    h.getBuffer(rank.rank, [1], "int32")[0] = rank.rank + 1;
    const t0 = performance.now();
    await h.barrier();
    const ms = performance.now() - t0;
    const seen = Array.from({ length: rank.worldSize }, (_, p) => h.getBuffer(p, [1], "int32")[0]);
    await h.barrier(); // nobody frees its slot while a peer may still read it
    return { rank: rank.rank, worldSize: rank.worldSize, ms, seen };
  } finally {
    rank.symm.free(t);
  }
}
