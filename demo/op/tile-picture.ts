/**
 * The op runner's picture of a tile reduction: per rank, its bigger input matrix with the tile(s)
 * it passes outlined (tile i in the colour of roots[i]) and its out matrix with out_tile outlined,
 * filled where this rank is a root (it got tile i's reduction), and elements that differ from the
 * page's computation marked red. The svg's data attributes count what was drawn (for the e2e test).
 */
import { el, svg } from "../dom.ts";
import { rankColour } from "./picture-colours.ts";
import { tileCorners, type TileSpec } from "./tile-case.ts";

/** The longer side of a matrix, in px. */
const SIDE = 120;
const GAP = 10;
const RANK_GAP = 20;
const TOP = 30;
const MAX_BAD = 512;

/** The picture for `t` on `worldSize` ranks; `bad[r]` lists rank r's wrong out elements (row-major indices). */
export function tilePicture(t: TileSpec, roots: readonly number[], worldSize: number, bad: readonly (readonly number[])[]): HTMLElement {
  const cell = Math.min(10, SIDE / Math.max(t.matRows, t.matCols));
  const mw = t.matCols * cell;
  const mh = t.matRows * cell;
  const groupW = 2 * mw + GAP;
  const width = worldSize * groupW + (worldSize - 1) * RANK_GAP + 4;
  const height = TOP + mh + 4;
  const corners = tileCorners(t, roots.length);
  let hits = 0;
  let wrong = 0;
  const matrix = (x: number, side: string) => {
    const g = svg("g", { class: `op-tile-matrix op-tile-matrix-${side}` },
      svg("rect", { class: "op-tile-bg", x, y: TOP, width: mw, height: mh }),
      svg("text", { x: x + mw / 2, y: TOP - 4, "text-anchor": "middle", class: "op-pic-small" }, side));
    if (cell >= 4) {
      const lines: string[] = [];
      for (let r = 1; r < t.matRows; r++) lines.push(`M${x} ${TOP + r * cell}h${mw}`);
      for (let c = 1; c < t.matCols; c++) lines.push(`M${x + c * cell} ${TOP}v${mh}`);
      g.append(svg("path", { class: "op-tile-grid", d: lines.join("") }));
    }
    return g;
  };
  const box = (x: number, [r, c]: readonly [number, number], attrs: Record<string, string | number>, what: string) =>
    svg("rect", { x: x + c * cell, y: TOP + r * cell, width: t.cols * cell, height: t.rows * cell, ...attrs }, svg("title", {}, what));
  const root = svg("svg", {
    class: "op-tile-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "every rank's matrix with its in tiles and its out matrix with out_tile",
  });
  for (let r = 0; r < worldSize; r++) {
    const x0 = 2 + r * (groupW + RANK_GAP);
    const xo = x0 + mw + GAP;
    const mine = roots.indexOf(r);
    const g = svg("g", { class: "op-tile-rank", "data-rank": r, "data-root": String(mine >= 0) },
      svg("text", { x: x0 + groupW / 2, y: 12, "text-anchor": "middle", class: "op-pic-label" }, mine >= 0 ? `rank ${r} (root of tile ${mine})` : `rank ${r}`),
      matrix(x0, "in"), matrix(xo, "out"));
    corners.forEach((at, i) => g.append(box(x0, at, {
      class: "op-tile-in", fill: rankColour(roots[i]), "fill-opacity": 0.35, stroke: rankColour(roots[i]), "data-tile": i,
    }, `in tile ${i} at (${at.join(", ")}), ${t.rows} × ${t.cols}: reduced to rank ${roots[i]}`)));
    if (mine >= 0) {
      hits++;
      g.append(box(xo, [t.row, t.col], { class: "op-tile-out op-tile-hit", fill: rankColour(r), stroke: rankColour(r), "data-tile": mine },
        `out_tile at (${t.row}, ${t.col}): the reduction of every rank's tile ${mine}`));
    } else {
      g.append(box(xo, [t.row, t.col], { class: "op-tile-out" }, `out_tile at (${t.row}, ${t.col}): not a root, stays as it was`));
    }
    for (const i of (bad[r] ?? []).slice(0, MAX_BAD)) {
      wrong++;
      g.append(svg("rect", {
        class: "op-tile-bad", x: xo + (i % t.matCols) * cell, y: TOP + Math.floor(i / t.matCols) * cell, width: Math.max(cell, 1.5), height: Math.max(cell, 1.5),
      }, svg("title", {}, `element (${Math.floor(i / t.matCols)}, ${i % t.matCols}) differs from the page's computation`)));
    }
    root.append(g);
  }
  root.dataset.hits = String(hits);
  root.dataset.tiles = String(corners.length * worldSize);
  root.dataset.bad = String(wrong);
  return el("figure", { className: "op-picture" }, root,
    el("figcaption", {}, `${t.matRows} × ${t.matCols} matrices; ${roots.length === 1 ? "the tile" : `${roots.length} tiles`} of ${t.rows} × ${t.cols} ` +
      `at (${corners.map((c) => c.join(", ")).join("), (")}) in, out_tile at (${t.row}, ${t.col}) of the out matrix; filled: a root's out_tile, its reduction.`),
    el("p", { className: "op-pic-legend" }, ...roots.map((r, i) => el("span", { className: "op-swatch-item" },
      el("span", { className: "op-swatch", style: `background: ${rankColour(r)}` }), `tile ${i} → rank ${r}`)),
    el("span", { className: "op-swatch-item" }, el("span", { className: "op-swatch op-swatch-bad" }), "differs from the page")));
}
