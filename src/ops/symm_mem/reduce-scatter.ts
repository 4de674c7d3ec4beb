/** reduce_scatter_out: a sum reduce-scatter over the backend's Reducer. */
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkDisjoint, checkOut, opGroup, sameDType, symmetricArg } from "./checks.ts";
import { checkReduction } from "../../core/reduce-op.ts";
import { peerRegion, type RegionOptions } from "../../heap/peer-regions.ts";
import { betweenBarriers } from "./barriers.ts";

/**
 * What rank `rank` of `world` reduces: split_last_dim false → the contiguous slice r of the
 * flattened input; true → the r-th chunk of the last dim of every row (a strided region).
 * Non-divisible sizes are an error, as in PyTorch.
 */
export function scatterPart(
  op: string, shape: readonly number[], numel: number, world: number, rank: number, splitLastDim: boolean,
): RegionOptions & { count: number } {
  if (!splitLastDim) {
    if (numel % world !== 0) {
      throw new OpError(
        `${op}: argument "input" has ${numel} elements, which is not divisible by the group size ${world}: ` +
          `expected a multiple of ${world}`,
      );
    }
    const count = numel / world;
    return { elementOffset: rank * count, count };
  }
  if (shape.length === 0) {
    throw new OpError(`${op}: split_last_dim needs an input with at least one dimension, found a 0-d tensor`);
  }
  const last = shape[shape.length - 1];
  if (last % world !== 0) {
    throw new OpError(
      `${op}: the last dim of argument "input" (shape [${shape.join(", ")}]) is ${last}, which is not divisible ` +
        `by the group size ${world}: expected a multiple of ${world}`,
    );
  }
  const chunk = last / world;
  const count = last === 0 ? 0 : (numel / last) * chunk;
  return { elementOffset: rank * chunk, count, rows: chunk === 0 ? undefined : { rowLength: chunk, rowStride: last } };
}

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
