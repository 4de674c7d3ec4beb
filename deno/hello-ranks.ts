import type { Rank } from "../src/index.ts";

/** Every rank reports its adapter, then all meet at a barrier. */
export async function barrierAll(rank: Rank): Promise<string> {
  const t = rank.symm.empty([1], "int32");
  const h = await rank.symm.rendezvous(t);
  await h.barrier();
  return `${rank.adapter.description} ${rank.adapter.vendor}`;
}
