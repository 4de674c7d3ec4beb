/**
 * all_to_all: the plain equal-split all-to-all. Not in PyTorch's symm_mem under this name: it is
 * PyTorch's `nvshmem_all_to_all(Tensor input, Tensor(a!) out, str group_name) -> Tensor(a!)`
 * (torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu) with the MoE ops' `-> ()`; like
 * `broadcast`, it is registered with its symm-mem arguments (input, out).
 */
import type { OpContext } from "../../backends/context.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { peerBytes } from "../../heap/peer-regions.ts";
import { allToAll as meta } from "../meta/all-to-all-meta.ts";
import { betweenBarriers } from "./barriers.ts";
import { checkDisjoint, opGroup, symmetricArg } from "./checks.ts";
import { metaContext } from "./all-to-all-vdev.ts";

/**
 * Slot p of rank r's `out` gets slot r of rank p's `input`; a slot is numel / group size
 * elements (input and out: same numel and dtype, numel divisible by the group size, as PyTorch
 * checks). Any dtype: bytes are moved. Each rank pulls its own slots, so every write is local.
 */
export async function allToAll(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  meta(args, metaContext(ctx, group));
  const input = symmetricArg(ctx, args, "input");
  const out = symmetricArg(ctx, args, "out");
  checkDisjoint(op, ["input", input], ["out", out]);
  const mine = out.bytes;
  const slot = input.nbytes / group.size;
  const h = await ctx.rank.symm.rendezvous(input, group);
  await betweenBarriers(h, () => {
    if (slot === 0) return;
    for (let p = 0; p < group.size; p++) mine.set(peerBytes(h, p, input, group.rank * slot, slot), p * slot);
  });
  return undefined;
}
