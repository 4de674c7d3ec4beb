/** get_remote_tensors: every rank's copy of a symmetric tensor, as tensor objects. */
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { describeTensor, opGroup } from "./checks.ts";

/**
 * Views of `x` on every rank of the group, ordered by rank; this rank's entry is `x` itself.
 * A peer's view is a SymmetricTensor whose slab is the peer's slab and whose allocation sits at
 * the peer's offset, so `.data` reads and writes the peer's memory. It shares `x`'s base, so
 * freeing `x` invalidates it. Meant for reading and writing peer memory, not as an op argument.
 * Needs no barrier (as PyTorch's): only the rendezvous, collective the first time.
 */
export async function getRemoteTensors(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor[]> {
  const group = opGroup(ctx);
  const x = args.x;
  if (!(x instanceof SymmetricTensor)) {
    throw new OpError(
      `${ctx.schema.qualifiedName}: argument "x" expected a symmetric tensor of group "${group.name}", ` +
        `found ${describeTensor(x)}`,
    );
  }
  const h = await ctx.rank.symm.rendezvous(x, group);
  return h.offsets.map((offset, p) => {
    if (p === h.rank) return x;
    const slab = h.getBuffer(p, [0], "uint8", x.viewOffset).buffer as SharedArrayBuffer;
    // The same strides: a peer's copy of a strided tile is the same tile of the peer's copy.
    return new SymmetricTensor(group, { ...x.allocation, offset }, x.dtype, x.shape, slab, x.viewOffset, x.base, x.strides);
  });
}
