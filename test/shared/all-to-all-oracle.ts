/**
 * The all-to-all tests' oracle, written from PyTorch's tests (test/distributed/test_nvshmem.py:
 * test_all_to_all_vdev, test_all_to_all_vdev_2d, test_all_to_all_vdev_2d_offset,
 * test_make_a2a_exchange_plan) and not from src/: for each receiving rank, the bytes its out
 * arena must hold (the chunks it gets, in order, over the arena's own pattern) and the words of its
 * splits outputs, guards included.
 */
import {
  arenaByte, bytesOf, caseInput, GUARD_BYTES, GUARD_WORD, GUARD_WORDS, type A2aCase,
} from "../fixtures/all-to-all-ranks.ts";

const ITEM: Record<A2aCase["dtype"], number> = { float32: 4, int32: 4, float16: 2, bfloat16: 2 };

export interface Expected {
  readonly out: number[];
  readonly splits: number[];
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
/** [0, a0, a0 + a1, ...]: where each chunk starts when they are packed. */
const starts = (a: readonly number[]) => a.map((_, i) => sum(a.slice(0, i)));

/** A received chunk: `rows` rows of rank `from`'s input starting at row `at`, landing at out row `to`. */
interface Piece {
  readonly from: number;
  readonly at: number;
  readonly rows: number;
  readonly to: number;
}

function arena(c: A2aCase, r: number, rows: number, pieces: readonly Piece[]): number[] {
  const rowBytes = Math.max(1, c.width) * ITEM[c.dtype];
  const nbytes = rows * rowBytes;
  const sym = c.placement === "symmetric";
  const bytes = Array.from({ length: nbytes + 2 * GUARD_BYTES }, (_, j) => arenaByte(j, r));
  for (const p of pieces) {
    const src = bytesOf(caseInput(c, p.from), c.dtype);
    for (let b = 0; b < p.rows * rowBytes; b++) bytes[GUARD_BYTES + p.to * rowBytes + b] = src[p.at * rowBytes + b];
  }
  return sym ? bytes : bytes.slice(GUARD_BYTES, GUARD_BYTES + nbytes);
}

function ints(c: A2aCase, ...tensors: number[][]): number[] {
  const guard = new Array(GUARD_WORDS).fill(GUARD_WORD);
  return tensors.flatMap((t) => (c.placement === "symmetric" ? [...guard, ...t, ...guard] : t));
}

/** 1-d: rank r gets splits_p[r] rows from each p, from p's row sum(splits_p[0..r)), packed in rank order. */
function vdevPieces(c: A2aCase, r: number): Piece[] {
  const w = c.splits.length;
  const rows = c.splits.map((s) => s[r]);
  const to = starts(rows);
  return Array.from({ length: w }, (_, p) => ({ from: p, at: sum(c.splits[p].slice(0, r)), rows: rows[p], to: to[p] }));
}

/** 2-d dispatch, as test_all_to_all_vdev_2d builds it: expert-major, each expert's block padded, the last rank absorbing the padding. */
function dispatch(c: A2aCase, r: number): { pieces: Piece[]; splits: number[]; offsets: number[] } {
  const w = c.splits.length;
  const ne = c.splits[0].length / w;
  const align = c.align ?? 1;
  const splits: number[] = [];
  const padded: number[] = [];
  const pieces: Omit<Piece, "to">[] = [];
  for (let e = 0; e < ne; e++) {
    const block = Array.from({ length: w }, (_, p) => c.splits[p][r * ne + e]);
    const total = sum(block);
    const aligned = Math.max(Math.ceil(total / align) * align, align);
    splits.push(...block);
    padded.push(...block.slice(0, -1), block[w - 1] + aligned - total);
    for (let p = 0; p < w; p++) pieces.push({ from: p, at: sum(c.splits[p].slice(0, r * ne + e)), rows: block[p] });
  }
  const offsets = starts(padded);
  return { pieces: pieces.map((p, i) => ({ ...p, to: offsets[i] })), splits, offsets };
}

/** 2-d combine: rank r gets, rank-major, split e*w + r of each p, from p's given offset, packed. */
function combine(c: A2aCase, r: number): { pieces: Piece[]; splits: number[]; offsets: number[] } {
  const w = c.splits.length;
  const ne = c.splits[0].length / w;
  const pieces: Omit<Piece, "to">[] = [];
  for (let p = 0; p < w; p++) {
    for (let e = 0; e < ne; e++) pieces.push({ from: p, at: c.offsets![p][e * w + r], rows: c.splits[p][e * w + r] });
  }
  const splits = pieces.map((p) => p.rows);
  const offsets = starts(splits);
  return { pieces: pieces.map((p, i) => ({ ...p, to: offsets[i] })), splits, offsets };
}

/** What rank r must hold after a case that succeeds. */
export function expected(c: A2aCase, r: number): Expected {
  const w = c.splits.length;
  switch (c.op) {
    case "vdev": {
      const pieces = vdevPieces(c, r);
      return { out: arena(c, r, c.outRows, pieces), splits: ints(c, [...pieces.map((p) => p.rows), ...pieces.map((p) => p.to)]) };
    }
    case "plan": {
      const pieces = vdevPieces(c, r);
      return {
        out: arena(c, r, c.outRows, pieces),
        splits: ints(c, pieces.map((p) => p.at), pieces.map((p) => p.rows), pieces.map((p) => p.to)),
      };
    }
    case "2d": {
      const d = dispatch(c, r);
      return { out: arena(c, r, c.outRows, d.pieces), splits: ints(c, [...d.splits, ...d.offsets]) };
    }
    case "2d_offset": {
      const d = combine(c, r);
      return { out: arena(c, r, c.outRows, d.pieces), splits: ints(c, [...d.splits, ...d.offsets]) };
    }
    case "plain": {
      const slot = c.inRows / w;
      const pieces = Array.from({ length: w }, (_, p) => ({ from: p, at: r * slot, rows: slot, to: p * slot }));
      return { out: arena(c, r, c.outRows, pieces), splits: [] };
    }
    case "roundtrip": {
      // Dispatch then combine is the identity on the rows rank r sent; the combine's splits are r's own.
      const own = [...c.splits[r]];
      const back = [{ from: r, at: 0, rows: sum(own), to: 0 }];
      return { out: arena(c, r, c.inRows, back), splits: ints(c, [...own, ...starts(own)]) };
    }
  }
}
