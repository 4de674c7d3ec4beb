/** broadcast: a pure heap copy from the root's `input` into everyone else's. */
import type { OpContext } from "../../backends/context.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkRoot, opGroup, symmetricArg } from "./checks.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import { betweenBarriers } from "./barriers.ts";

/** Non-roots pull the root's bytes (any dtype); the root's tensor is not written. */
export async function broadcast(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const group = opGroup(ctx);
  const input = symmetricArg(ctx, args, "input");
  const root = checkRoot(ctx.schema.qualifiedName, args.root, group);
  const h = await ctx.rank.symm.rendezvous(input);
  await betweenBarriers(h, () => {
    if (group.rank !== root) input.bytes.set(peerBytes(h, root, input));
  });
  return input;
}
