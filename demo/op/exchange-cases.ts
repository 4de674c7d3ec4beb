/**
 * The op runner's cases for the all-to-alls (all_to_all, all_to_all_vdev, the 2-d dispatch and
 * combine, the exchange-plan pair) and the tile reductions: how big every rank's input is and
 * what every rank must get back, from demo/op/a2a-case.ts and demo/op/tile-case.ts.
 */
import { a2aExpectedOut, a2aWorld, type A2aKind, type A2aWorld } from "./a2a-case.ts";
import type { ElementDType } from "./numeric.ts";
import type { OpCase, OpRunSpec } from "./op-case.ts";
import { tileExpected } from "./tile-case.ts";

const ANY: readonly ElementDType[] = ["float32", "float16", "bfloat16", "int32", "uint32"];
const FLOATS_INT: readonly ElementDType[] = ["float32", "float16", "bfloat16", "int32"];

let cached: { key: string; world: A2aWorld } | undefined;

/** The exchange of all-to-all `kind` for `spec` on `worldSize` ranks (the last one asked for is kept). */
export function a2aOf(kind: A2aKind, spec: OpRunSpec, worldSize: number): A2aWorld {
  const key = JSON.stringify([kind, spec.a2a, worldSize, spec.seed]);
  if (cached?.key !== key) cached = { key, world: a2aWorld(kind, spec.a2a, worldSize, spec.seed) };
  return cached.world;
}

/** The roots of a tile case: the root field (tile_reduce) or the roots field. */
export function tileRoots(c: OpCase, spec: OpRunSpec): readonly number[] {
  return c.tile === "one" ? [spec.root] : spec.tile.roots;
}

/** Elements of every rank's input for these cases (undefined for the others: the element count). */
export function exchangeInputCount(c: OpCase, spec: OpRunSpec, worldSize: number): number | undefined {
  // The plan moves no rows (its input is in_splits): no data.
  if (c.a2a === "plan") return 0;
  if (c.a2a !== undefined) return a2aOf(c.a2a, spec, worldSize).inRows * spec.a2a.width;
  if (c.tile !== undefined) return spec.tile.matRows * spec.tile.matCols;
  return undefined;
}

const never = () => false;
const always = () => true;

function a2aCase(kind: A2aKind, op: string, about: string): OpCase {
  return {
    id: op, op, dtypes: ANY, reduce: false, root: false, algo: false, a2a: kind, wgsl: never, about,
    expected: (spec, w, r, inputs) => a2aExpectedOut(a2aOf(kind, spec, w), spec.dtype, r, inputs),
    ...(kind === "plain" ? {} : { expectedAux: (spec: OpRunSpec, w: number, r: number) => Int32Array.from(a2aOf(kind, spec, w).ranks[r].auxWords) }),
  };
}

function tileCase(kind: "one" | "multi", op: string, about: string): OpCase {
  const c: OpCase = {
    id: op, op, dtypes: FLOATS_INT, reduce: true, root: kind === "one", algo: false, tile: kind, wgsl: always, about,
    expected: (spec, _w, r, inputs) => tileExpected(spec.dtype, spec.reduceOp, spec.tile, tileRoots(c, spec), r, inputs),
  };
  return c;
}

/** The cases (the op select lists them where the library's op table has them). */
export const EXCHANGE_CASES: readonly OpCase[] = [
  a2aCase("plain", "symm_mem::all_to_all",
    "equal slots: slot p of every rank's out is slot (its rank) of rank p's input; input and out are realized in the heap, out copied back (not PyTorch's name: nvshmem_all_to_all)."),
  a2aCase("vdev", "symm_mem::all_to_all_vdev",
    "in_splits[p] rows go to rank p, packed in rank order; out_splits_offsets gets the rows from each rank and where they start in out. input and out are realized, the splits are not."),
  a2aCase("2d", "symm_mem::all_to_all_vdev_2d",
    "MoE dispatch: in_splits rank-major (rank q's expert e at q × experts + e), out expert-major; major_align starts every expert block at a multiple of it, and an empty expert still takes major_align rows."),
  a2aCase("2d_offset", "symm_mem::all_to_all_vdev_2d_offset",
    "MoE combine: input expert-major, chunks at in_splits_offsets' offsets (the padding between them is not sent), out rank-major and packed."),
  {
    ...a2aCase("plan", "symm_mem::_make_a2a_exchange_plan",
      "exchanges the splits once: src_offsets (where my rows start in each peer's input), out_splits, dst_offsets (where they go in my out), reused by _all_to_all_get. Shown as [3, world]."),
    dtypes: ["int32"],
    expected: (spec, w, r) => Int32Array.from(a2aOf("plan", spec, w).ranks[r].auxWords),
    expectedAux: undefined,
  },
  a2aCase("get", "symm_mem::_all_to_all_get",
    "_make_a2a_exchange_plan, then _all_to_all_get with the plan: input must be a symmetric tensor (nothing is registered, as in PyTorch); out is a regular tensor written in place."),
  tileCase("one", "symm_mem::tile_reduce",
    "a strided tile of every rank's bigger matrix (SymmetricTensor.tile), reduced into the tile at the same place of the root's out matrix; the other ranks' out stays as it was."),
  tileCase("multi", "symm_mem::multi_root_tile_reduce",
    "tiles side by side in every rank's matrix; tile i is reduced into out_tile on roots[i] (a rank root at most once); a non-root's out_tile stays as it was."),
];
