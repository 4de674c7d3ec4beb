/** reduce_scatter_out: a sum reduce-scatter over the backend's Reducer. */
import type { OpContext } from "../../backends/context.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkDisjoint, checkOut, opGroup, sameDType, symmetricArg } from "./checks.ts";
import { checkReduction } from "../../core/reduce-op.ts";
import { peerRegion } from "../../heap/peer-regions.ts";
import { scatterPart } from "../shape-checks.ts";
import { betweenBarriers } from "./barriers.ts";

/** Leaves `input` untouched (PyTorch's may use it as scratch); only `output` is written. */
export async function reduceScatterOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const input = symmetricArg(ctx, args, "input");
  const { reduceOp, dtype } = checkReduction(op, "sum", input.dtype);
  const part = scatterPart(op, input.shape, input.numel, group.size, group.rank, args.split_last_dim === true);
  const output = symmetricArg(ctx, args, "output");
  sameDType(op, ["input", input], ["output", output]);
  checkOut(op, "output", output, part.count, `the numel of input / ${group.size}`);
  checkDisjoint(op, ["input", input], ["output", output]);
  const h = await ctx.rank.symm.rendezvous(input);
  const ho = await ctx.rank.symm.rendezvous(output);
  await betweenBarriers(h, async () => {
    if (part.count === 0) return;
    const sources = Array.from({ length: h.worldSize }, (_, p) => peerRegion(h, p, input, part));
    const dst = peerRegion(ho, ho.rank, output, { count: part.count });
    await ctx.backend.reducer(ctx.rank).reduceToHeap({ sources, count: part.count, dtype, op: reduceOp }, dst);
  });
  return output;
}
