/**
 * The exchange-plan pair (pytorch/pytorch#164164, #164181): `_make_a2a_exchange_plan` exchanges
 * the splits once; `_all_to_all_get` then moves tokens, top-k indices and weights with the same
 * plan. Semantics from torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu
 * (makeExchangePlan: exchangeSplitAndOffset, then dst_offsets = exclusive prefix sums of
 * out_splits) and test/distributed/test_nvshmem.py (test_make_a2a_exchange_plan,
 * test_a2a_with_exchange_plan). PyTorch registers no symm-mem arguments for these two
 * (torch/distributed/_symmetric_memory/_register_ops.py), so neither do we: the dispatcher
 * realizes nothing, `_all_to_all_get`'s `input` must already be a symmetric tensor of the group
 * (peers read it), and every other tensor may be regular or symmetric.
 */
import type { OpContext } from "../../backends/context.ts";
import { OpError } from "../../core/errors.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { allToAllGet as metaGet, makeA2aExchangePlan as metaPlan } from "../meta/all-to-all-meta.ts";
import { checkDisjoint, opGroup, symmetricArg } from "./checks.ts";
import { exchangeThen } from "./all-to-all-exchange.ts";
import { readInts, writableBytes, writeInts } from "./all-to-all-io.ts";
import { checkSplits, type Chunk } from "./all-to-all-layout.ts";
import { metaContext, pullChunks, rowBytes } from "./all-to-all-vdev.ts";

/**
 * On rank r: `out_splits[p]` = rank p's `in_splits[r]` (rows r gets from p), `src_offsets[p]` =
 * where they start in p's input (the sum of p's in_splits before r), `dst_offsets[p]` = where they
 * go in r's out (exclusive prefix sums of out_splits). `in_splits` is left as it is.
 */
export async function makeA2aExchangePlan(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  metaPlan(args, metaContext(ctx, group));
  const world = group.size;
  const r = group.rank;
  const words = await readInts(ctx, "in_splits", args.in_splits);
  const plan = await exchangeThen(ctx, group, words, (all) => {
    checkSplits(op, all, world, "in_splits");
    const src = new Int32Array(world);
    const splits = new Int32Array(world);
    const dst = new Int32Array(world);
    let at = 0;
    for (let p = 0; p < world; p++) {
      for (let q = 0; q < r; q++) src[p] += all[p][q];
      splits[p] = all[p][r];
      dst[p] = at;
      at += splits[p];
    }
    return { src, splits, dst };
  }, () => {});
  await writeInts(ctx, "src_offsets", args.src_offsets, plan.src);
  await writeInts(ctx, "out_splits", args.out_splits, plan.splits);
  await writeInts(ctx, "dst_offsets", args.dst_offsets, plan.dst);
  return undefined;
}

/** Every rank's plan (words: src_offsets, out_splits, dst_offsets) must read inside input and write inside out. */
function checkPlans(op: string, all: readonly Int32Array[], inputRows: number, outRows: number): void {
  const world = all.length;
  all.forEach((w, q) => {
    for (let p = 0; p < world; p++) {
      const [src, rows, dst] = [w[p], w[world + p], w[2 * world + p]];
      if (rows < 0) throw new OpError(`${op}: rank ${q}'s out_splits[${p}] is ${rows}: expected a split ≥ 0 (rows to get from rank ${p})`);
      if (rows === 0) continue;
      if (src < 0 || src + rows > inputRows) {
        throw new OpError(
          `${op}: rank ${q} would get rows [${src}, ${src + rows}) of rank ${p}'s input (src_offsets[${p}], out_splits[${p}]), ` +
            `but input has ${inputRows} rows (dim 0)`,
        );
      }
      if (dst < 0 || dst + rows > outRows) {
        throw new OpError(
          `${op}: rank ${q} would receive ${rows} rows from rank ${p} at rows [${dst}, ${dst + rows}) of its out ` +
            `(dst_offsets[${p}]), but out has ${outRows} rows (dim 0)`,
        );
      }
    }
  });
}

/**
 * Rank r gets `out_splits[p]` rows of rank p's `input` from row `src_offsets[p]` into its `out`
 * from row `dst_offsets[p]`, for every p. The plan is exchanged once more (3 × world words) so every
 * rank checks every rank's reads and writes, and a bad plan fails on every rank alike.
 */
export async function allToAllGet(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  metaGet(args, metaContext(ctx, group));
  const world = group.size;
  const input = symmetricArg(ctx, args, "input");
  const out = args.out;
  if (out instanceof SymmetricTensor && out.group === group) checkDisjoint(op, ["input", input], ["out", out]);
  const words = new Int32Array(3 * world);
  words.set(await readInts(ctx, "src_offsets", args.src_offsets), 0);
  words.set(await readInts(ctx, "out_splits", args.out_splits), world);
  words.set(await readInts(ctx, "dst_offsets", args.dst_offsets), 2 * world);
  const target = await writableBytes(ctx, "out", out);
  const h = await ctx.rank.symm.rendezvous(input, group);
  const outRows = (out as { shape: readonly number[] }).shape[0];
  await exchangeThen(ctx, group, words, (all) => {
    checkPlans(op, all, input.shape[0], outRows);
    const mine = all[group.rank];
    const chunks: Chunk[] = [];
    for (let p = 0; p < world; p++) chunks.push({ peer: p, srcRow: mine[p], rows: mine[world + p], dstRow: mine[2 * world + p] });
    return chunks;
  }, (chunks) => pullChunks(h, input, target.bytes, chunks, rowBytes(input)));
  target.commit();
  return undefined;
}
