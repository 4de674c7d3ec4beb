/**
 * The op runner's all-to-all cases, worked out on the page: every rank's splits from the chosen
 * pattern (even, uneven seeded, all to one peer), where each row of every rank's input goes, and
 * so what every rank's `out` and `out_splits_offsets` (or exchange plan) must hold. Written from
 * PyTorch's semantics (torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu, as the README's
 * op list states them), not from the library's layout code, so the check is independent. The rank
 * worker imports the splits and sizes from here too, so both sides agree on the call.
 */
import { opMix, storedArray, type StoredArray } from "./data.ts";
import type { ElementDType } from "./numeric.ts";

/** How every rank splits its rows among the bins (ranks, or ranks × experts). */
export type SplitsPattern = "even" | "uneven" | "one_peer";
/** The splits select's options. */
export const SPLITS_PATTERNS: readonly { readonly value: SplitsPattern; readonly text: string }[] = [
  { value: "uneven", text: "uneven (seeded, some empty)" },
  { value: "even", text: "even" },
  { value: "one_peer", text: "all to one peer (rank 0, expert 0)" },
];

/** Which all-to-all: plain equal slots, 1-d vdev (and the plan pair), 2-d dispatch, 2-d combine. */
export type A2aKind = "plain" | "vdev" | "plan" | "get" | "2d" | "2d_offset";

/** The all-to-all controls of the form. `align` null: major_align=None (PyTorch: value_or(1)). */
export interface A2aSpec {
  /** Rows each rank sends (its input's rows for all but the combine, whose input has padding too). */
  readonly rows: number;
  /** Elements per row (dim 1). */
  readonly width: number;
  readonly splits: SplitsPattern;
  /** Experts per rank (2-d ops). */
  readonly experts: number;
  readonly align: number | null;
}

/** What a row is, for the picture: data (to or from `rank`, for/of `expert`), alignment padding, or unused. */
export type RowTag =
  | { readonly kind: "data"; readonly rank: number; readonly expert: number }
  | { readonly kind: "pad" }
  | { readonly kind: "unused" };

/** `rows` rows of rank `src`'s input from `srcRow`, into rank `dst`'s out from `dstRow`. */
export interface RowChunk {
  readonly src: number;
  readonly srcRow: number;
  readonly dst: number;
  readonly dstRow: number;
  readonly rows: number;
  /** The expert (of the receiving rank for the dispatch, of the sending rank for the combine); -1: none. */
  readonly expert: number;
}

/** One rank's part of the exchange. */
export interface A2aRank {
  /** The splits tensor it passes: in_splits, or in_splits_offsets (2 × n words, splits then offsets) for the combine. */
  readonly splitsWords: readonly number[];
  readonly splitsShape: readonly number[];
  /** Its input's rows: where each goes. */
  readonly inTags: readonly RowTag[];
  /** Its out's rows: where each comes from. */
  readonly outTags: readonly RowTag[];
  /** The chunks it receives. */
  readonly received: readonly RowChunk[];
  /** out_splits_offsets (2 × n, row-major), or the plan [src_offsets; out_splits; dst_offsets] (3 × world); [] for all_to_all. */
  readonly auxWords: readonly number[];
}

/** An all-to-all on every rank, as the page works it out. */
export interface A2aWorld {
  readonly kind: A2aKind;
  readonly worldSize: number;
  /** Experts per rank (1 for the 1-d ops). */
  readonly experts: number;
  /** Rows of every rank's input and out (the same on every rank: the call's shapes must agree). */
  readonly inRows: number;
  readonly outRows: number;
  readonly width: number;
  readonly ranks: readonly A2aRank[];
}

/** Splits of `total` rows into `n` bins by the pattern, for rank `rank`. */
export function patternSplits(pattern: SplitsPattern, n: number, total: number, seed: number, rank: number): number[] {
  const out = new Array<number>(n).fill(0);
  if (n === 0) return out;
  if (pattern === "one_peer") {
    out[0] = total;
  } else if (pattern === "even") {
    for (let i = 0; i < n; i++) out[i] = Math.floor(total / n) + (i < total % n ? 1 : 0);
  } else {
    // Each row picks a bin with a skew towards a few of them (squared uniform over a rank-rotated order), so bins run from busy to empty.
    const shift = opMix(seed ^ 0xa2a, rank, -1) % n;
    for (let j = 0; j < total; j++) {
      const u = opMix(seed ^ 0xa2a, rank, j) / 2 ** 32;
      out[(Math.floor(u * u * n) + shift) % n]++;
    }
  }
  return out;
}

const exclusiveSums = (v: readonly number[]): number[] => {
  let s = 0;
  return v.map((x) => ((s += x), s - x));
};

/** Each expert block: starts where the previous ends, takes max(roundup(len, a), a) rows. */
function blockStarts(lens: readonly number[], align: number): { starts: number[]; end: number } {
  const starts: number[] = [];
  let at = 0;
  for (const len of lens) {
    starts.push(at);
    at += Math.max(Math.ceil(len / align) * align, align);
  }
  return { starts, end: at };
}

const data = (rank: number, expert: number): RowTag => ({ kind: "data", rank, expert });

/** Tags of `rows` rows: every chunk's rows as `tag(chunk)`, the rest `rest`. */
function tagRows(rows: number, chunks: readonly { at: number; rows: number; tag: RowTag }[], rest: RowTag): RowTag[] {
  const tags = new Array<RowTag>(rows).fill(rest);
  for (const c of chunks) for (let i = 0; i < c.rows; i++) tags[c.at + i] = c.tag;
  return tags;
}

/** The whole exchange of `kind` on `worldSize` ranks with these controls. */
export function a2aWorld(kind: A2aKind, a: A2aSpec, worldSize: number, seed: number): A2aWorld {
  const W = worldSize;
  const ne = kind === "2d" || kind === "2d_offset" ? a.experts : 1;
  const n = W * ne;
  const align = a.align ?? 1;
  const splits = Array.from({ length: W }, (_, r) =>
    kind === "plain" ? new Array<number>(W).fill(a.rows / W) : patternSplits(a.splits, n, a.rows, seed, r));

  // Where every bin of every rank starts in its input (the combine: expert blocks with padding).
  const srcAt: number[][] = [];
  const inTags: RowTag[][] = [];
  let inRows = a.rows;
  if (kind === "2d_offset") {
    const padded = splits.map((s) => {
      // Bin e * W + q: rows of this rank's expert e for rank q; blocks of experts aligned.
      const lens = Array.from({ length: ne }, (_, e) => s.slice(e * W, (e + 1) * W).reduce((x, y) => x + y, 0));
      const { starts, end } = blockStarts(lens, align);
      const at: number[] = [];
      for (let e = 0; e < ne; e++) {
        let o = starts[e];
        for (let q = 0; q < W; q++) (at.push(o), (o += s[e * W + q]));
      }
      return { at, end };
    });
    inRows = Math.max(0, ...padded.map((p) => p.end));
    padded.forEach((p, r) => {
      srcAt.push(p.at);
      inTags.push(tagRows(inRows, p.at.map((at, i) => ({ at, rows: splits[r][i], tag: data(i % W, Math.floor(i / W)) })), { kind: "pad" }));
      // Rows past this rank's own layout are not padding but unused (the tensor has the most any rank needs).
      for (let i = p.end; i < inRows; i++) inTags[r][i] = { kind: "unused" };
    });
  } else {
    splits.forEach((s, r) => {
      const at = exclusiveSums(s);
      srcAt.push(at);
      // Bin i goes to rank i / ne, its expert i % ne (the 1-d ops: ne = 1, no expert).
      inTags.push(tagRows(inRows, at.map((x, i) => ({ at: x, rows: s[i], tag: data(Math.floor(i / ne), kind === "2d" ? i % ne : -1) })), { kind: "unused" }));
    });
  }

  // What every rank receives, and its out_splits_offsets.
  const recv = Array.from({ length: W }, (_, r) => {
    const chunks: RowChunk[] = [];
    const pads: { at: number; rows: number; tag: RowTag }[] = [];
    const words = { splits: [] as number[], offsets: [] as number[] };
    let end = 0;
    if (kind === "2d") {
      // Expert-major: column e * W + p = rank p's bin r * ne + e.
      const lens = Array.from({ length: ne }, (_, e) => splits.reduce((s, sp) => s + sp[r * ne + e], 0));
      const { starts, end: e2 } = blockStarts(lens, align);
      for (let e = 0; e < ne; e++) {
        let at = starts[e];
        for (let p = 0; p < W; p++) {
          const i = r * ne + e;
          chunks.push({ src: p, srcRow: srcAt[p][i], dst: r, dstRow: at, rows: splits[p][i], expert: e });
          words.splits.push(splits[p][i]);
          words.offsets.push(at);
          at += splits[p][i];
        }
        pads.push({ at, rows: starts[e] + Math.max(Math.ceil(lens[e] / align) * align, align) - at, tag: { kind: "pad" } });
      }
      end = e2;
    } else if (kind === "2d_offset") {
      // Rank-major, packed: column p * ne + e = rank p's bin e * W + r.
      for (let p = 0; p < W; p++) {
        for (let e = 0; e < ne; e++) {
          const i = e * W + r;
          chunks.push({ src: p, srcRow: srcAt[p][i], dst: r, dstRow: end, rows: splits[p][i], expert: e });
          words.splits.push(splits[p][i]);
          words.offsets.push(end);
          end += splits[p][i];
        }
      }
    } else {
      for (let p = 0; p < W; p++) {
        chunks.push({ src: p, srcRow: srcAt[p][r], dst: r, dstRow: end, rows: splits[p][r], expert: -1 });
        words.splits.push(splits[p][r]);
        words.offsets.push(end);
        end += splits[p][r];
      }
    }
    return { chunks, pads, words, end };
  });
  const outRows = Math.max(0, ...recv.map((x) => x.end));

  const ranks = recv.map((x, r): A2aRank => {
    const outTags = tagRows(outRows, [
      ...x.pads,
      ...x.chunks.map((c) => ({ at: c.dstRow, rows: c.rows, tag: data(c.src, c.expert) })),
    ], { kind: "unused" });
    let auxWords: number[] = [];
    if (kind === "vdev" || kind === "2d" || kind === "2d_offset") auxWords = [...x.words.splits, ...x.words.offsets];
    if (kind === "plan" || kind === "get") auxWords = [...x.chunks.map((c) => c.srcRow), ...x.words.splits, ...x.words.offsets];
    const splitsWords = kind === "2d_offset" ? [...splits[r], ...srcAt[r]] : splits[r];
    return {
      splitsWords, splitsShape: kind === "2d_offset" ? [2, n] : [n], inTags: inTags[r], outTags, received: x.chunks, auxWords,
    };
  });
  return { kind, worldSize: W, experts: ne, inRows, outRows, width: a.width, ranks };
}

/** Rank `rank`'s expected out (stored values): zeros, then every received chunk copied from its sender's input. */
export function a2aExpectedOut(w: A2aWorld, dtype: ElementDType, rank: number, inputs: readonly StoredArray[]): StoredArray {
  const out = storedArray(dtype, w.outRows * w.width);
  for (const c of w.ranks[rank].received) {
    const from = inputs[c.src].subarray(c.srcRow * w.width, (c.srcRow + c.rows) * w.width);
    out.set(from, c.dstRow * w.width);
  }
  return out;
}

/** The aux output's shape (out_splits_offsets or the plan's three rows). */
export function a2aAuxShape(w: A2aWorld): number[] {
  if (w.kind === "plain") return [0];
  return w.kind === "plan" || w.kind === "get" ? [3, w.worldSize] : [2, w.worldSize * w.experts];
}

/** What is wrong with the controls for this op on this world, naming the field, or undefined. */
export function checkA2a(kind: A2aKind, a: A2aSpec, worldSize: number, seed: number, maxElements: number): string | undefined {
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(a.rows, 1, 1 << 16)) return `rows per rank: expected a whole number from 1 to 65,536, found ${a.rows}`;
  if (kind !== "plan" && !whole(a.width, 1, 4096)) return `row width: expected a whole number from 1 to 4,096, found ${a.width}`;
  if ((kind === "2d" || kind === "2d_offset") && !whole(a.experts, 1, 16)) return `experts per rank: expected a whole number from 1 to 16, found ${a.experts}`;
  if (kind === "plain" && a.rows % worldSize !== 0) {
    return `rows per rank: all_to_all sends equal slots, so the rows must be a multiple of the world size (${worldSize}), found ${a.rows}`;
  }
  if (kind === "plan") return undefined;
  const w = a2aWorld(kind, a, worldSize, seed);
  const most = Math.max(w.inRows, w.outRows) * a.width;
  if (most > maxElements) return `rows per rank × row width: a tensor of ${most.toLocaleString("en")} elements is more than the op runner's ${maxElements.toLocaleString("en")}`;
  return undefined;
}
