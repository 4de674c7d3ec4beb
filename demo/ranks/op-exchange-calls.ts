/**
 * How a rank of the op runner calls the all-to-alls and the tile reductions (demo/ranks/op-ranks.ts
 * hands these cases over): the sizes and splits come from the same page-side description
 * (demo/op/a2a-case.ts, demo/op/tile-case.ts) that the page checks against, the tensors are
 * what a user would pass — regular tensors, the splits as int32 — except where the op wants a
 * symmetric tensor (_all_to_all_get's input, the tiles of a bigger symmetric matrix).
 */
import type { DType, Rank, SymmetricTensor, Tensor } from "../../src/index.ts";
import type { StoredArray } from "../op/data.ts";
import { a2aAuxShape } from "../op/a2a-case.ts";
import { a2aOf, tileRoots } from "../op/exchange-cases.ts";
import type { OpCase, OpRunSpec } from "../op/op-case.ts";
import { tileCorners } from "../op/tile-case.ts";

const G = "world";

/** What op-ranks.ts lends: keep a regular tensor for release, make a symmetric one (freed after), read a tensor. */
export interface CallKit {
  keep<T extends Tensor>(t: T): T;
  symm(shape: number[], name: string): SymmetricTensor;
  read(t: Tensor): Promise<StoredArray>;
  describe(t: Tensor): string;
}

/** What a call gave back on this rank, for OpRunResult. */
export interface ExchangeOutcome {
  call: string;
  inputShape: number[];
  output: StoredArray;
  outputShape: number[];
  aux?: IntOutput;
  /** The splits (or splits and offsets) it passed, shown beside the input. */
  splits?: IntOutput;
  /** The input to show, when it is not the rank's generated data (the plan's in_splits). */
  input?: StoredArray;
}

/** An int32 tensor of the call, by its argument name. */
export interface IntOutput {
  name: string;
  shape: number[];
  values: Int32Array;
}

async function ints(rank: Rank, kit: CallKit, ts: readonly Tensor[]): Promise<Int32Array> {
  const parts: Int32Array[] = [];
  for (const t of ts) parts.push((await kit.read(t)) as Int32Array);
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Runs an all-to-all case on this rank. */
export async function a2aCall(rank: Rank, spec: OpRunSpec, c: OpCase, data: StoredArray, kit: CallKit): Promise<ExchangeOutcome> {
  const w = a2aOf(c.a2a!, spec, rank.worldSize);
  const me = w.ranks[rank.rank];
  const dtype = spec.dtype as DType;
  const inputShape = [w.inRows, w.width];
  const outShape = [w.outRows, w.width];
  const d = kit.describe;
  const int32 = (values: readonly number[], shape: readonly number[]) => kit.keep(rank.tensor([...values], { dtype: "int32", shape }));
  const zerosI = (shape: number[]) => kit.keep(rank.zeros(shape, "int32"));
  const n = me.splitsWords.length;
  switch (c.a2a!) {
    case "plain": {
      const input = kit.keep(rank.tensor(data, { dtype, shape: inputShape }));
      const out = kit.keep(rank.zeros(outShape, dtype));
      await rank.call(c.op, input, out, G);
      return { call: `${c.op}(input: ${d(input)}, out: ${d(out)}, "${G}")`, inputShape, output: await kit.read(out), outputShape: outShape };
    }
    case "vdev":
    case "2d":
    case "2d_offset": {
      const input = kit.keep(rank.tensor(data, { dtype, shape: inputShape }));
      const out = kit.keep(rank.zeros(outShape, dtype));
      const splits = int32(me.splitsWords, me.splitsShape);
      const auxShape = a2aAuxShape(w);
      const so = zerosI(auxShape);
      const splitsName = c.a2a === "2d_offset" ? "in_splits_offsets" : "in_splits";
      let call = `${c.op}(input: ${d(input)}, out: ${d(out)}, ${splitsName}: ${d(splits)}, out_splits_offsets: ${d(so)}, "${G}"`;
      if (c.a2a === "2d" && spec.a2a.align !== null) {
        await rank.call(c.op, input, out, splits, so, G, spec.a2a.align);
        call += `, major_align=${spec.a2a.align})`;
      } else {
        await rank.call(c.op, input, out, splits, so, G);
        call += c.a2a === "2d" ? ")  (major_align=None)" : ")";
      }
      return {
        call, inputShape, output: await kit.read(out), outputShape: outShape,
        aux: { name: "out_splits_offsets", shape: auxShape, values: await ints(rank, kit, [so]) },
        splits: { name: splitsName, shape: [...me.splitsShape], values: Int32Array.from(me.splitsWords) },
      };
    }
    case "plan":
    case "get": {
      const splits = int32(me.splitsWords, [n]);
      const plan = [zerosI([n]), zerosI([n]), zerosI([n])];
      const input = c.a2a === "get" ? kit.symm(inputShape, "input") : undefined;
      if (input !== undefined) {
        (input.data as StoredArray).set(data);
        // Every rank's input is in the heap before any peer reads it.
        await (await rank.symm.rendezvous(input)).barrier();
      }
      await rank.call("symm_mem::_make_a2a_exchange_plan", splits, plan[0], plan[1], plan[2], G);
      const planCall = `symm_mem::_make_a2a_exchange_plan(in_splits: ${d(splits)}, src_offsets, out_splits, dst_offsets: ${d(plan[0])}, "${G}")`;
      const words = await ints(rank, kit, plan);
      const splitsShown = { name: "in_splits", shape: [n], values: Int32Array.from(me.splitsWords) };
      if (input === undefined) return { call: planCall, inputShape: [n], input: splitsShown.values, output: words, outputShape: [3, n] };
      const out = kit.keep(rank.zeros(outShape, dtype));
      await rank.call(c.op, input, out, plan[0], plan[1], plan[2], G, null, null, null);
      // Nobody frees input while a peer may still read it.
      await (await rank.symm.rendezvous(input)).barrier();
      return {
        call: `${planCall}; then ${c.op}(input: ${d(input)}, out: ${d(out)}, src_offsets, out_splits, dst_offsets, "${G}", None, None, None)`,
        inputShape, output: await kit.read(out), outputShape: outShape,
        aux: { name: "plan: src_offsets; out_splits; dst_offsets", shape: [3, n], values: words }, splits: splitsShown,
      };
    }
  }
}

/** Runs a tile case on this rank: tiles of a bigger symmetric matrix, out_tile a tile of a zeroed one. */
export async function tileCall(rank: Rank, spec: OpRunSpec, c: OpCase, data: StoredArray, kit: CallKit): Promise<ExchangeOutcome> {
  const t = spec.tile;
  const roots = tileRoots(c, spec);
  const shape = [t.matRows, t.matCols];
  const big = kit.symm(shape, "in matrix");
  const outBig = kit.symm(shape, "out matrix");
  (big.data as StoredArray).set(data);
  (outBig.data as StoredArray).fill(0);
  const tiles = tileCorners(t, roots.length).map(([r, col]) => big.tile(r, col, t.rows, t.cols));
  const outTile = outBig.tile(t.row, t.col, t.rows, t.cols);
  const r = JSON.stringify(spec.reduceOp);
  const at = (i: number) => `(${tileCorners(t, roots.length)[i].join(", ")})`;
  let call: string;
  if (c.tile === "one") {
    await rank.call(c.op, tiles[0], outTile, spec.root, G, spec.reduceOp);
    call = `${c.op}(in_tile: ${kit.describe(tiles[0])} at ${at(0)} of [${shape.join(", ")}], out_tile: at (${t.row}, ${t.col}), root=${spec.root}, "${G}", ${r})`;
  } else {
    await rank.call(c.op, tiles, outTile, [...roots], G, spec.reduceOp);
    call = `${c.op}(in_tiles: ${tiles.length} × ${kit.describe(outTile)} at ${tiles.map((_, i) => at(i)).join(", ")} of [${shape.join(", ")}], ` +
      `out_tile: at (${t.row}, ${t.col}), roots=[${roots.join(", ")}], "${G}", ${r})`;
  }
  return { call, inputShape: shape, output: (await rank.read(outBig)) as StoredArray, outputShape: shape };
}
