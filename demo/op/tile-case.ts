/**
 * The op runner's tile cases (tile_reduce, multi_root_tile_reduce): every rank holds a bigger
 * matrix (its deterministic input, demo/op/data.ts) and passes strided tiles of it
 * (SymmetricTensor.tile); `out_tile` is the tile at the same place of a second matrix of zeros.
 * Tile i lies at (row, col + i × cols), side by side; its reduction goes to roots[i]. The page's
 * expected out matrix is zeros everywhere but the roots' out tiles, reduced in rank order with the
 * page's own arithmetic, so a write outside the tile shows as a wrong element.
 */
import { storedArray, type StoredArray } from "./data.ts";
import { reduceInRankOrder, type ElementDType, type ReduceDType, type ReduceOpName } from "./numeric.ts";

/** The tile controls of the form. */
export interface TileSpec {
  /** The bigger matrix (in and out alike). */
  readonly matRows: number;
  readonly matCols: number;
  /** The first tile's top-left element. */
  readonly row: number;
  readonly col: number;
  /** The tile's shape. */
  readonly rows: number;
  readonly cols: number;
  /** multi_root_tile_reduce's roots, as typed (tile_reduce takes the root field instead). */
  readonly roots: readonly number[];
}

/** Top-left corners of the `k` in tiles. */
export function tileCorners(t: TileSpec, k: number): [number, number][] {
  return Array.from({ length: k }, (_, i) => [t.row, t.col + i * t.cols]);
}

/** "0, 2" → [0, 2]; undefined when it is not a comma-separated list of whole numbers. */
export function parseRoots(text: string): number[] | undefined {
  const parts = text.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (parts.length === 0 || parts.some((x) => !/^\d+$/.test(x))) return undefined;
  return parts.map(Number);
}

/** What is wrong with the tile controls, naming the field, or undefined (a root given twice is left to the op to refuse). */
export function checkTile(t: TileSpec, roots: readonly number[], worldSize: number, maxElements: number): string | undefined {
  const whole = (v: number, lo: number) => Number.isInteger(v) && v >= lo;
  if (!whole(t.matRows, 1) || !whole(t.matCols, 1)) return `matrix: expected whole numbers of rows and columns ≥ 1, found ${t.matRows} × ${t.matCols}`;
  if (t.matRows * t.matCols > maxElements) return `matrix: ${t.matRows} × ${t.matCols} is more than the op runner's ${maxElements.toLocaleString("en")} elements`;
  if (!whole(t.rows, 0) || !whole(t.cols, 0)) return `tile shape: expected whole numbers ≥ 0, found ${t.rows} × ${t.cols}`;
  if (!whole(t.row, 0) || !whole(t.col, 0)) return `tile at: expected a row and a column ≥ 0, found (${t.row}, ${t.col})`;
  const k = roots.length;
  if (t.row + t.rows > t.matRows) return `tile at: rows [${t.row}, ${t.row + t.rows}) do not lie inside the matrix's ${t.matRows} rows`;
  const right = t.col + k * t.cols;
  if (right > t.matCols) {
    return `tile at: ${k === 1 ? "the tile's" : `${k} tiles side by side, their`} columns [${t.col}, ${right}) do not lie inside the matrix's ${t.matCols} columns`;
  }
  const bad = roots.find((r) => r >= worldSize);
  if (bad !== undefined) return `roots: expected ranks from 0 to ${worldSize - 1}, found ${bad}`;
  return undefined;
}

/** The `t.rows` × `t.cols` tile at (`row`, `col`) of a row-major `t.matRows` × `t.matCols` matrix, packed. */
export function tileOf(dtype: ElementDType, t: TileSpec, row: number, col: number, matrix: StoredArray): StoredArray {
  const tile = storedArray(dtype, t.rows * t.cols);
  for (let r = 0; r < t.rows; r++) tile.set(matrix.subarray((row + r) * t.matCols + col, (row + r) * t.matCols + col + t.cols), r * t.cols);
  return tile;
}

/** Rank `rank`'s expected out matrix (stored values). */
export function tileExpected(
  dtype: ElementDType, reduceOp: ReduceOpName, t: TileSpec, roots: readonly number[], rank: number, inputs: readonly StoredArray[],
): StoredArray {
  const out = storedArray(dtype, t.matRows * t.matCols);
  const i = roots.indexOf(rank);
  if (i < 0 || t.rows * t.cols === 0) return out;
  const [r0, c0] = tileCorners(t, roots.length)[i];
  const tiles = inputs.map((x) => tileOf(dtype, t, r0, c0, x));
  const reduced = storedArray(dtype, t.rows * t.cols);
  reduceInRankOrder(dtype as ReduceDType, reduceOp, tiles, t.rows * t.cols, reduced);
  for (let r = 0; r < t.rows; r++) out.set(reduced.subarray(r * t.cols, (r + 1) * t.cols), (t.row + r) * t.matCols + t.col);
  return out;
}
