/**
 * tile_reduce and multi_root_tile_reduce: a 2-d tile — possibly a strided view into a bigger
 * symmetric tensor (SymmetricTensor.tile) — reduced from every rank of the group into `out_tile`
 * on a root, over the backend's Reducer. The root pulls every peer's `in_tile` rows and writes
 * only its own `out_tile`; the other ranks only synchronise and their `out_tile` keeps its bytes,
 * as in PyTorch (test_nvshmem.py's test_multi_root_tile_reduce expects zeros there). So
 * `out_tile` is this rank's business: its place in the allocation may differ between ranks
 * (the call signature leaves its offset out, src/dispatch/signature.ts), while `in_tile(s)` must
 * lie at the same place on every rank. PyTorch supports reduce_op "sum" only; every reduce op of
 * the collectives works here.
 */
import type { OpContext } from "../../backends/context.ts";
import { checkReduction, type CollectiveDType, type ReduceOp } from "../../core/reduce-op.ts";
import type { HeapRegion } from "../../core/reducer.ts";
import type { Group } from "../../heap/group.ts";
import type { SymmetricMemoryHandle } from "../../heap/handle.ts";
import { peerRegion } from "../../heap/peer-regions.ts";
import type { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import type { MetaContext } from "../../library/meta.ts";
import { multiRootTileReduce as metaMultiRoot, tileReduce as metaTileReduce } from "../meta/tile-meta.ts";
import { betweenBarriers } from "./barriers.ts";
import { checkDisjoint, opGroup, symmetricArg, symmetricValue } from "./checks.ts";

const STRIDED = { strided: true } as const;

/** The meta kernel's checks (2-d tiles, shapes, dtypes, reduce op, roots), run by the kernel too. */
function metaContext(ctx: OpContext, group: Group): MetaContext {
  return { schema: ctx.schema, groupSize: () => group.size };
}

/** This rank's own copy of `t` as a HeapRegion: its rows when it is a strided tile. */
function localRegion(t: SymmetricTensor): HeapRegion {
  if (t.isContiguous) return { slab: t.slab, byteOffset: t.byteOffset };
  const { rowLength, rowStride } = t.rowLayout;
  return { slab: t.slab, byteOffset: t.byteOffset, rowLength, rowStride };
}

/** Reduces every group rank's copy of `tile` (rank order) into this rank's `out`. */
async function reduceTile(
  ctx: OpContext, h: SymmetricMemoryHandle, tile: SymmetricTensor, out: SymmetricTensor,
  r: { reduceOp: ReduceOp; dtype: CollectiveDType },
): Promise<void> {
  if (tile.numel === 0) return;
  const sources = Array.from({ length: h.worldSize }, (_, p) => peerRegion(h, p, tile));
  await ctx.backend.reducer(ctx.rank).reduceToHeap(
    { sources, count: tile.numel, dtype: r.dtype, op: r.reduceOp }, localRegion(out));
}

/** tile_reduce: `in_tile` of every rank reduced into `out_tile` on `root`. */
export async function tileReduce(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const inTile = symmetricArg(ctx, args, "in_tile", STRIDED);
  const outTile = symmetricArg(ctx, args, "out_tile", STRIDED);
  metaTileReduce(args, metaContext(ctx, group));
  const r = checkReduction(op, args.reduce_op, inTile.dtype, "in_tile");
  const root = args.root as number;
  // The root reads every source before it writes, but the tile ops share one rule (multi-root
  // needs it: a peer may read this rank's in_tiles while it writes out_tile).
  checkDisjoint(op, ["in_tile", inTile], ["out_tile", outTile]);
  const h = await ctx.rank.symm.rendezvous(inTile);
  await betweenBarriers(h, async () => {
    if (group.rank === root) await reduceTile(ctx, h, inTile, outTile, r);
  });
  return undefined;
}

/** multi_root_tile_reduce: `in_tiles[i]` of every rank reduced into `out_tile` on `roots[i]`. */
export async function multiRootTileReduce(args: BoundArgs, ctx: OpContext): Promise<undefined> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const list = args.in_tiles as readonly unknown[];
  const tiles = list.map((t, i) => symmetricValue(ctx, t, `in_tiles[${i}]`, STRIDED));
  const outTile = symmetricArg(ctx, args, "out_tile", STRIDED);
  // Roots in range, none twice, one per tile; 2-d tiles of out_tile's shape and dtype.
  metaMultiRoot(args, metaContext(ctx, group));
  const r = checkReduction(op, args.reduce_op, outTile.dtype, "out_tile");
  tiles.forEach((t, i) => checkDisjoint(op, [`in_tiles[${i}]`, t], ["out_tile", outTile]));
  const roots = args.roots as readonly number[];
  // Every rank makes the same rendezvous in the same order (in_tiles agree across ranks).
  const handles: SymmetricMemoryHandle[] = [];
  for (const t of tiles) handles.push(await ctx.rank.symm.rendezvous(t));
  const sync = handles[0] ?? await ctx.rank.symm.rendezvous(outTile);
  const mine = roots.indexOf(group.rank);
  await betweenBarriers(sync, async () => {
    if (mine >= 0) await reduceTile(ctx, handles[mine], tiles[mine], outTile, r);
  });
  return undefined;
}
