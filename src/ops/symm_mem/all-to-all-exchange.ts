/**
 * The splits exchange of the all-to-alls, through the heap: every rank publishes a few int32
 * words (its splits, and offsets where the op has them) in the op's workspace, every rank reads
 * every rank's words after the first barrier, so every rank knows the whole plan and checks it
 * identically. PyTorch's kernels scatter the words with nvshmem_int64_p and a barrier
 * (exchangeSplitAndOffset in torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu); the
 * pull gives every rank the same words without a remote write.
 */
import type { OpContext } from "../../backends/context.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import type { Group } from "../../heap/group.ts";

/**
 * Publishes `words` (the same count on every rank: it follows from shapes the agreement checked),
 * then, after a barrier, calls `plan` with every rank's words (index: group rank). `plan` returns
 * what to do, or throws an OpError naming the rank at fault; `move` runs with that before the second barrier (the data
 * pull). A plan's OpError is thrown after the second barrier, on every rank alike (every rank
 * saw the same words), so a rejected call leaves no signal behind and the group usable.
 */
export async function exchangeThen<P>(
  ctx: OpContext,
  group: Group,
  words: Int32Array,
  plan: (all: readonly Int32Array[]) => P,
  move: (p: P) => void,
): Promise<P> {
  const n = words.length;
  const ws = await ctx.workspace("splits", Math.max(4, n * 4));
  const h = await ctx.rank.symm.rendezvous(ws, group);
  ws.bytes.set(new Uint8Array(words.buffer, words.byteOffset, n * 4));
  await h.barrier();
  let result: P | undefined;
  let failure: unknown;
  try {
    const all = Array.from({ length: group.size }, (_, p) => new Int32Array(peerBytes(h, p, ws, 0, n * 4).slice().buffer));
    result = plan(all);
    move(result);
  } catch (e) {
    failure = e; // after the second barrier, so the peers are not left waiting in it
  }
  await h.barrier();
  if (failure !== undefined) throw failure;
  return result as P;
}
