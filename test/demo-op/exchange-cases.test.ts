/**
 * The op runner's own description of the all-to-alls and tile reductions (demo/op/a2a-case.ts,
 * demo/op/tile-case.ts), which the page checks the ranks against: its row layouts agree with the
 * library's (two implementations written apart), the splits patterns are what they say, and the
 * form's checks name the field.
 */
import { describe, expect, it } from "vitest";
import { a2aWorld, checkA2a, patternSplits, type A2aKind, type SplitsPattern } from "../../demo/op/a2a-case.ts";
import { checkTile, parseRoots, tileExpected, type TileSpec } from "../../demo/op/tile-case.ts";
import { layout1d, layout2d, layout2dOffset } from "../../src/ops/symm_mem/all-to-all-layout.ts";

const PATTERNS: SplitsPattern[] = ["even", "uneven", "one_peer"];

describe("the op runner's all-to-all layouts", () => {
  it("put every row where the library's layout puts it (out_splits_offsets and chunks), and out holds them all", () => {
    let cases = 0;
    for (const W of [1, 3, 4, 5]) {
      for (const kind of ["vdev", "plan", "2d", "2d_offset"] as A2aKind[]) {
        for (const splits of PATTERNS) {
          for (const [experts, align] of [[1, null], [2, 4], [3, 1], [2, null]] as const) {
            for (const rows of [1, 12, 29]) {
              const w = a2aWorld(kind, { rows, width: 2, splits, experts, align }, W, 0x5eed);
              const all = w.ranks.map((r) => Int32Array.from(r.splitsWords));
              for (let r = 0; r < W; r++) {
                const lib = kind === "2d" ? layout2d(all, r, experts, align ?? 1) : kind === "2d_offset" ? layout2dOffset(all, r, experts) : layout1d(all, r);
                const words = kind === "plan" ? w.ranks[r].auxWords.slice(W) : w.ranks[r].auxWords;
                expect(words, `${kind} W=${W} ${splits} ne=${experts} a=${align} rows=${rows} rank ${r}`).toEqual(Array.from(lib.splitsOffsets));
                expect(w.ranks[r].received.map((c) => [c.src, c.srcRow, c.dstRow, c.rows])).toEqual(lib.chunks.map((c) => [c.peer, c.srcRow, c.dstRow, c.rows]));
                for (const c of lib.chunks) expect(c.dstRow + c.rows).toBeLessThanOrEqual(w.outRows);
                cases++;
              }
            }
          }
        }
      }
    }
    expect(cases).toBe(4 * 3 * 4 * 3 * (1 + 3 + 4 + 5));
  });

  it("tag every sent row with its destination and every received row with its source; padding only where major_align adds it", () => {
    const w = a2aWorld("2d", { rows: 12, width: 3, splits: "uneven", experts: 2, align: 4 }, 4, 0x5eed);
    const count = (tags: readonly { kind: string }[], kind: string) => tags.filter((t) => t.kind === kind).length;
    expect(w.ranks.map((r) => count(r.inTags, "data"))).toEqual([12, 12, 12, 12]);
    expect(w.ranks.reduce((s, r) => s + count(r.outTags, "data"), 0)).toBe(48);
    for (const r of w.ranks) expect((count(r.outTags, "data") + count(r.outTags, "pad")) % 4).toBe(0);
    const none = a2aWorld("2d", { rows: 12, width: 3, splits: "even", experts: 3, align: null }, 4, 1);
    expect(none.ranks.every((r) => count(r.outTags, "pad") === 0)).toBe(true);
  });

  it("make splits that add up to the rows: even within one, all to one peer in bin 0, uneven with empty bins", () => {
    for (const p of PATTERNS) for (const r of [0, 1, 2]) expect(patternSplits(p, 8, 29, 7, r).reduce((a, b) => a + b, 0)).toBe(29);
    const even = patternSplits("even", 8, 29, 7, 0);
    expect(Math.max(...even) - Math.min(...even)).toBe(1);
    expect(patternSplits("one_peer", 8, 29, 7, 3)).toEqual([29, 0, 0, 0, 0, 0, 0, 0]);
    expect(patternSplits("uneven", 8, 12, 0x5eed, 0)).toContain(0);
  });

  it("refuse, naming the field, what the op runner cannot run", () => {
    const a = { rows: 10, width: 4, splits: "even" as const, experts: 2, align: 4 };
    expect(checkA2a("plain", a, 4, 1, 1 << 22)).toMatch(/^rows per rank: all_to_all sends equal slots.*\(4\), found 10$/);
    expect(checkA2a("vdev", { ...a, width: 0 }, 4, 1, 1 << 22)).toMatch(/^row width: /);
    expect(checkA2a("2d", { ...a, experts: 0 }, 4, 1, 1 << 22)).toMatch(/^experts per rank: /);
    expect(checkA2a("vdev", { ...a, rows: 1 << 16, width: 4096 }, 4, 1, 1 << 22)).toMatch(/^rows per rank × row width: /);
    expect(checkA2a("2d", a, 4, 1, 1 << 22)).toBeUndefined();
  });
});

describe("the op runner's tile cases", () => {
  const t: TileSpec = { matRows: 5, matCols: 7, row: 1, col: 2, rows: 2, cols: 2, roots: [0, 2] };

  it("expect the roots' out tiles to hold the reduction of their tile, and zeros everywhere else", () => {
    const inputs = [0, 1, 2].map((r) => Int32Array.from({ length: 35 }, (_, i) => 100 * r + i));
    const root0 = tileExpected("int32", "sum", t, t.roots, 0, inputs);
    const root2 = tileExpected("int32", "sum", t, t.roots, 2, inputs);
    const other = tileExpected("int32", "sum", t, t.roots, 1, inputs);
    const at = (row: number, col: number) => row * 7 + col;
    // Tile 0 at (1, 2), tile 1 at (1, 4); rank 0 gets tile 0's sum at out (1, 2), rank 2 tile 1's.
    expect(root0[at(1, 2)]).toBe(300 + 3 * at(1, 2));
    expect(root0[at(2, 3)]).toBe(300 + 3 * at(2, 3));
    expect(root2[at(1, 2)]).toBe(300 + 3 * at(1, 4));
    expect(Array.from(root0).filter((v) => v !== 0)).toHaveLength(4);
    expect(Array.from(other).every((v) => v === 0)).toBe(true);
  });

  it("refuse, naming the field, tiles that do not fit and roots outside the world; leave a root twice to the op", () => {
    expect(checkTile({ ...t, cols: 3 }, [0, 2], 3, 1 << 22)).toBe("tile at: 2 tiles side by side, their columns [2, 8) do not lie inside the matrix's 7 columns");
    expect(checkTile({ ...t, row: 4 }, [0], 3, 1 << 22)).toMatch(/^tile at: rows \[4, 6\)/);
    expect(checkTile(t, [0, 3], 3, 1 << 22)).toBe("roots: expected ranks from 0 to 2, found 3");
    expect(checkTile(t, [1, 1], 3, 1 << 22)).toBeUndefined();
    expect(parseRoots(" 0, 2 ")).toEqual([0, 2]);
    expect(parseRoots("0, x")).toBeUndefined();
  });
});
