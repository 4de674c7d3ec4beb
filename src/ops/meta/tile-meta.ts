/** Meta kernels of tile_reduce and multi_root_tile_reduce. */
import { OpError } from "../../core/errors.ts";
import type { MetaContext, TensorMeta } from "../../library/meta.ts";
import {
  checkReduction, checkRoot, checkShape, checkTile, groupSizeOf, opName, sameDType, tensor, type Args,
} from "../shape-checks.ts";

/** tile_reduce: a 2-d tile reduced from every rank into out_tile on root. */
export function tileReduce(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const inTile = tensor(args, "in_tile");
  const outTile = tensor(args, "out_tile");
  checkReduction(op, args.reduce_op, inTile.dtype, "in_tile");
  checkTile(op, "in_tile", inTile);
  checkTile(op, "out_tile", outTile);
  sameDType(op, ["in_tile", inTile], ["out_tile", outTile]);
  checkShape(op, "out_tile", outTile, inTile.shape, "the shape of in_tile");
  checkRoot(op, args.root, args.group_name as string, size);
  return undefined;
}

/** multi_root_tile_reduce: tile i reduced into out_tile on roots[i]; a rank is root at most once. */
export function multiRootTileReduce(args: Args, ctx: MetaContext): undefined {
  const op = opName(ctx);
  const size = groupSizeOf(args, ctx);
  const group = args.group_name as string;
  const tiles = args.in_tiles as readonly TensorMeta[];
  const roots = args.roots as readonly number[];
  const outTile = tensor(args, "out_tile");
  checkReduction(op, args.reduce_op, outTile.dtype, "out_tile");
  checkTile(op, "out_tile", outTile);
  if (roots.length !== tiles.length) {
    throw new OpError(`${op}: argument "roots" expected ${tiles.length} roots (one per tile of in_tiles), found ${roots.length}`);
  }
  tiles.forEach((tile, i) => {
    const name = `in_tiles[${i}]`;
    checkTile(op, name, tile);
    sameDType(op, ["out_tile", outTile], [name, tile]);
    checkShape(op, name, tile, outTile.shape, "the shape of out_tile");
  });
  const seen = new Map<number, number>();
  roots.forEach((root, i) => {
    if (root < 0 || root >= size) {
      throw new OpError(`${op}: argument "roots" expected ranks of group "${group}" in [0, ${size - 1}], found ${root} at index ${i}`);
    }
    const first = seen.get(root);
    if (first !== undefined) {
      throw new OpError(`${op}: argument "roots" lists rank ${root} at indices ${first} and ${i}: a rank is the root of at most one tile`);
    }
    seen.set(root, i);
  });
  return undefined;
}
