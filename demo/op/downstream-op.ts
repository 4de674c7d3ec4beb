/**
 * A downstream operator, defined the way a package built on webshmem would define its own:
 * `demo_op::rank_weighted_sum(Tensor input, str group_name) -> Tensor` returns
 * Σ_p (p + 1) · input_p, over the ranks p of the group in rank order, in float32.
 *
 * `input` is registered as a symmetric-memory argument, so the dispatcher copies a regular
 * tensor (a GPUBuffer on webgpu) into the group's heap workspace before the kernel runs and
 * counts it in `rank.stats.realizations`; the kernel then reads every peer's copy straight from
 * the heap. Nothing in the library knows this op. Imported by the op runner's rank functions
 * (demo/ranks/op-ranks.ts), so every rank worker defines it once, when it loads.
 */
import { type BoundArgs, Library, OpError, type OpContext, SymmetricTensor } from "../../src/index.ts";
import { DOWNSTREAM_NAME, DOWNSTREAM_NAMESPACE, DOWNSTREAM_SCHEMA } from "./downstream-schema.ts";

async function rankWeightedSum(args: BoundArgs, ctx: OpContext) {
  const input = args.input;
  if (!(input instanceof SymmetricTensor)) {
    throw new OpError(`${ctx.schema.qualifiedName}: expected the dispatcher to realize "input" in the heap`);
  }
  if (input.dtype !== "float32") {
    throw new OpError(`${ctx.schema.qualifiedName}: argument "input" expected dtype float32, found ${input.dtype}`);
  }
  const h = await ctx.rank.symm.rendezvous(input);
  await h.barrier(); // every rank's input is in the heap
  const out = new Float32Array(input.numel);
  for (let p = 0; p < h.worldSize; p++) {
    const peer = h.getBuffer(p, input.shape, "float32", input.viewOffset / 4);
    const weight = p + 1;
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i] + Math.fround(weight * peer[i]));
  }
  await h.barrier(); // nobody reuses the workspace while a peer still reads it
  return ctx.backend.createTensor(ctx.rank, input.shape, "float32", out);
}

const lib = new Library(DOWNSTREAM_NAMESPACE, "DEF");
lib.define(DOWNSTREAM_SCHEMA);
lib.registerSymmMemArgs(DOWNSTREAM_NAME, ["input"]);
lib.impl(DOWNSTREAM_NAME, rankWeightedSum, "webgpu");
lib.impl(DOWNSTREAM_NAME, rankWeightedSum, "cpu");

/** The library that holds the op (for completeness: the rank worker keeps it for its lifetime). */
export const opDownstreamLibrary = lib;
