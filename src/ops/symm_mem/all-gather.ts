/** multimem_all_gather_out: a pure heap copy, no reduction. */
import type { OpContext } from "../../backends/context.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkDisjoint, checkOut, opGroup, sameDType, symmetricArg } from "./checks.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import { betweenBarriers } from "./barriers.ts";

/**
 * Slot p of every rank's `out` ends up holding rank p's `input`. PyTorch pushes (each rank stores
 * into every peer); we pull (each rank fills its own slots), which gives the same bytes and keeps
 * all writes local, so a backend with device mirrors only ever sees its own memory change.
 * Any dtype: nothing is computed.
 */
export async function allGatherOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const input = symmetricArg(ctx, args, "input");
  const out = symmetricArg(ctx, args, "out");
  sameDType(op, ["input", input], ["out", out]);
  checkOut(op, "out", out, input.numel * group.size, `the numel of input × group size ${group.size}`);
  checkDisjoint(op, ["input", input], ["out", out]);
  const h = await ctx.rank.symm.rendezvous(input);
  await betweenBarriers(h, () => {
    const mine = out.bytes;
    for (let p = 0; p < h.worldSize; p++) mine.set(peerBytes(h, p, input), p * input.nbytes);
  });
  return out;
}
