/**
 * The all-reduce family, written once over the backend's Reducer: the cpu reducer adds on the
 * host, the webgpu one uploads and runs WGSL; the memory traffic and synchronisation are here.
 * Kernels receive realized arguments: every registered tensor is a symmetric tensor of the group.
 */
import type { RegularTensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { itemsize } from "../../core/dtype.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkDisjoint, checkRoot, opGroup, symmetricArg } from "./checks.ts";
import { checkCopyOut, checkOutLike, checkStageCopy } from "../shape-checks.ts";
import { checkReduction, type CollectiveDType, type ReduceOp } from "../../core/reduce-op.ts";
import type { HeapRegion, ReduceJob, Reducer } from "../../core/reducer.ts";
import { peerBytes, peerRegion } from "../../heap/peer-regions.ts";
import { betweenBarriers } from "./barriers.ts";
import { sliceOf } from "../../core/slices.ts";

interface Reduction {
  readonly op: string;
  readonly reduceOp: ReduceOp;
  readonly dtype: CollectiveDType;
}

function reduction(ctx: OpContext, args: BoundArgs, input: SymmetricTensor): Reduction {
  const op = ctx.schema.qualifiedName;
  return { op, ...checkReduction(op, args.reduce_op, input.dtype) };
}

function reducerOf(ctx: OpContext): Reducer {
  return ctx.backend.reducer(ctx.rank);
}

/** Every group rank's copy of `count` elements of `input`, from `first`, in rank order. */
function allPeers(h: SymmetricMemoryHandle, input: SymmetricTensor, first: number, count: number): HeapRegion[] {
  return Array.from({ length: h.worldSize }, (_, p) => peerRegion(h, p, input, { elementOffset: first, count }));
}

function job(r: Reduction, sources: HeapRegion[], count: number): ReduceJob {
  return { sources, count, dtype: r.dtype, op: r.reduceOp };
}

/** One-shot into a new regular tensor: every rank reads all peers and reduces the whole tensor. */
async function oneShotToTensor(
  ctx: OpContext, r: Reduction, input: SymmetricTensor, count: number, shape: readonly number[],
): Promise<RegularTensor> {
  const h = await ctx.rank.symm.rendezvous(input);
  return betweenBarriers(h, () =>
    count === 0
      ? ctx.backend.createTensor(ctx.rank, shape, r.dtype)
      : reducerOf(ctx).reduceToTensor(job(r, allPeers(h, input, 0, count), count), shape));
}

/** One-shot into this rank's `out` (heap), when `onThisRank`; other ranks only synchronise. */
async function oneShotToHeap(
  ctx: OpContext, r: Reduction, input: SymmetricTensor, count: number, out: SymmetricTensor, onThisRank = true,
): Promise<SymmetricTensor> {
  const h = await ctx.rank.symm.rendezvous(input);
  const ho = await ctx.rank.symm.rendezvous(out);
  await betweenBarriers(h, async () => {
    if (!onThisRank || count === 0) return;
    await reducerOf(ctx).reduceToHeap(job(r, allPeers(h, input, 0, count), count), peerRegion(ho, ho.rank, out, { count }));
  });
  return out;
}

function outArg(ctx: OpContext, args: BoundArgs, name: string, input: SymmetricTensor) {
  const op = ctx.schema.qualifiedName;
  const out = symmetricArg(ctx, args, name);
  checkOutLike(op, name, out, input, "the shape of input");
  checkDisjoint(op, ["input", input], [name, out]);
  return out;
}

/** one_shot_all_reduce, multimem_one_shot_all_reduce. */
export async function oneShotAllReduce(args: BoundArgs, ctx: OpContext): Promise<RegularTensor> {
  const input = symmetricArg(ctx, args, "input");
  return oneShotToTensor(ctx, reduction(ctx, args, input), input, input.numel, input.shape);
}

/** one_shot_all_reduce_out, multimem_one_shot_all_reduce_out. */
export async function oneShotAllReduceOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const input = symmetricArg(ctx, args, "input");
  const r = reduction(ctx, args, input);
  const out = outArg(ctx, args, "out", input);
  return oneShotToHeap(ctx, r, input, input.numel, out);
}

/** Checks symm_buffer / local_input and copies local_input into the front of symm_buffer. */
function stageCopy(ctx: OpContext, args: BoundArgs): { buffer: SymmetricTensor; local: SymmetricTensor; r: Reduction } {
  const op = ctx.schema.qualifiedName;
  const buffer = symmetricArg(ctx, args, "symm_buffer");
  const local = symmetricArg(ctx, args, "local_input");
  const r = { op, ...checkStageCopy(op, buffer, local, args.reduce_op) };
  checkDisjoint(op, ["symm_buffer", buffer], ["local_input", local]);
  // Local only: peers read symm_buffer after the first barrier, and the previous op's last
  // barrier guarantees nobody still reads it.
  buffer.bytes.set(local.bytes);
  return { buffer, local, r };
}

/** one_shot_all_reduce_copy: local_input goes into this rank's symm_buffer, then one-shot. */
export async function oneShotAllReduceCopy(args: BoundArgs, ctx: OpContext): Promise<RegularTensor> {
  const { buffer, local, r } = stageCopy(ctx, args);
  return oneShotToTensor(ctx, r, buffer, local.numel, local.shape);
}

/** one_shot_all_reduce_copy_out. */
export async function oneShotAllReduceCopyOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const op = ctx.schema.qualifiedName;
  const { buffer, local, r } = stageCopy(ctx, args);
  const out = symmetricArg(ctx, args, "out");
  checkCopyOut(op, out, local);
  checkDisjoint(op, ["symm_buffer", buffer], ["out", out]);
  return oneShotToHeap(ctx, r, buffer, local.numel, out);
}

/** multimem_one_shot_reduce_out: only `root` gets the result; the others only synchronise. */
export async function oneShotReduceOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const input = symmetricArg(ctx, args, "input");
  const r = reduction(ctx, args, input);
  const root = checkRoot(r.op, args.root, opGroup(ctx));
  const out = outArg(ctx, args, "out", input);
  return oneShotToHeap(ctx, r, input, input.numel, out, opGroup(ctx).rank === root);
}

/**
 * Two-shot: rank r reduces slice r of every peer's `input` into slice r of its own `out`
 * (reduce-scatter), then writes that slice into slice r of every peer's `out` (all-gather).
 * Slice r of anyone's memory is only ever touched by rank r, so `out` may be `input`.
 */
async function twoShot(ctx: OpContext, r: Reduction, input: SymmetricTensor, out: SymmetricTensor): Promise<SymmetricTensor> {
  const h = await ctx.rank.symm.rendezvous(input);
  const ho = await ctx.rank.symm.rendezvous(out);
  const { first, count } = sliceOf(input.numel, h.worldSize, h.rank);
  await betweenBarriers(h, async () => {
    if (count === 0) return;
    const dst = peerRegion(ho, ho.rank, out, { elementOffset: first, count });
    const reducer = reducerOf(ctx);
    const j = job(r, allPeers(h, input, first, count), count);
    if (reducer.reduceToHeaps !== undefined) {
      // Mine first, then every peer's: the host reducer copies each chunk on while it is in cache.
      const others = Array.from({ length: ho.worldSize - 1 }, (_, i) => (ho.rank + 1 + i) % ho.worldSize);
      await reducer.reduceToHeaps(j, [dst, ...others.map((p) => peerRegion(ho, p, out, { elementOffset: first, count }))]);
      return;
    }
    await reducer.reduceToHeap(j, dst);
    const size = itemsize(out.dtype);
    const mine = peerBytes(ho, ho.rank, out, first * size, count * size);
    for (let p = 0; p < ho.worldSize; p++) if (p !== ho.rank) peerBytes(ho, p, out, first * size, count * size).set(mine);
  });
  return out;
}

/** two_shot_all_reduce_, multimem_all_reduce_ (multicast emulated as read-all / write-all). */
export async function twoShotAllReduceInPlace(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const input = symmetricArg(ctx, args, "input");
  return twoShot(ctx, reduction(ctx, args, input), input, input);
}

/**
 * two_shot_all_reduce_out. Unlike PyTorch, which reduces in place and then copies (so its
 * `input` ends up holding the result too), ours leaves `input` untouched: only `output` is written.
 */
export async function twoShotAllReduceOut(args: BoundArgs, ctx: OpContext): Promise<SymmetricTensor> {
  const input = symmetricArg(ctx, args, "input");
  const r = reduction(ctx, args, input);
  return twoShot(ctx, r, input, outArg(ctx, args, "output", input));
}
