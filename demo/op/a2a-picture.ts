/**
 * The op runner's picture of an all-to-all: per rank, its input's rows coloured by where they go
 * (destination rank, shaded by expert) and its out's rows coloured by where they came from
 * (source rank, shaded by expert), alignment padding hatched, rows nobody writes (or sends) left
 * white, and out rows that differ from the page's computation crossed out in red. Runs of equal
 * rows are one rectangle each; the svg's data attributes count the rows drawn (for the e2e test).
 */
import { el, svg } from "../dom.ts";
import type { A2aWorld, RowTag } from "./a2a-case.ts";
import { rankColour } from "./picture-colours.ts";

const COL_W = 26;
const GAP = 10;
const RANK_GAP = 22;
const TOP = 30;
/** Height of the tallest column, in px (rows are scaled to fit). */
const MAX_H = 220;
/** Wrong rows outlined at most, per rank. */
const MAX_BAD = 256;

interface Run {
  readonly from: number;
  readonly rows: number;
  readonly tag: RowTag;
}

const key = (t: RowTag) => (t.kind === "data" ? `d${t.rank}/${t.expert}` : t.kind);

function runsOf(tags: readonly RowTag[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < tags.length; i++) {
    const last = runs[runs.length - 1];
    if (last !== undefined && key(last.tag) === key(tags[i])) runs[runs.length - 1] = { ...last, rows: last.rows + 1 };
    else runs.push({ from: i, rows: 1, tag: tags[i] });
  }
  return runs;
}

function fill(t: RowTag, experts: number): string {
  if (t.kind === "pad") return "url(#op-a2a-hatch)";
  if (t.kind === "unused") return "#ffffff";
  return rankColour(t.rank, t.expert, experts);
}

function title(side: "in" | "out", t: RowTag, r: Run, planned: boolean): string {
  const rows = r.rows === 1 ? `row ${r.from}` : `rows ${r.from}–${r.from + r.rows - 1}`;
  if (t.kind === "pad") return `${rows}: major_align padding (${side === "in" ? "not sent" : "not written"})`;
  if (t.kind === "unused") return `${rows}: ${side === "in" ? "not sent" : "not written"}`;
  const expert = t.expert >= 0 ? `, expert ${t.expert}` : "";
  return side === "in" ? `${rows} → rank ${t.rank}${expert}` : `${rows} ${planned ? "planned " : ""}from rank ${t.rank}${expert}`;
}

/**
 * The picture for `w`; `bad[r]` lists rank r's out rows that differ from the page's computation.
 * `planned`: the out column shows where the plan puts rows (nothing moved yet).
 */
export function a2aPicture(w: A2aWorld, bad: readonly (readonly number[])[], planned = false): HTMLElement {
  const most = Math.max(1, w.inRows, w.outRows);
  const rowH = Math.min(10, MAX_H / most);
  const groupW = 2 * COL_W + GAP;
  const width = w.worldSize * groupW + (w.worldSize - 1) * RANK_GAP + 2;
  const height = TOP + most * rowH + 4;
  const counts = { in: 0, out: 0, pad: 0, bad: 0 };
  const column = (x: number, side: "in" | "out", tags: readonly RowTag[], rank: number) => {
    const g = svg("g", { class: `op-a2a-col op-a2a-${side}`, "data-rank": rank, "data-side": side });
    for (const r of runsOf(tags)) {
      if (r.tag.kind === "data") counts[side] += r.rows;
      if (r.tag.kind === "pad") counts.pad += r.rows;
      g.append(svg("rect", {
        class: `op-a2a-run op-a2a-${r.tag.kind}`, x, y: TOP + r.from * rowH, width: COL_W, height: r.rows * rowH,
        fill: fill(r.tag, w.experts), "data-rows": r.rows,
        ...(r.tag.kind === "data" ? { "data-peer": r.tag.rank, "data-expert": r.tag.expert } : {}),
      }, svg("title", {}, title(side, r.tag, r, planned))));
    }
    g.append(svg("rect", { class: "op-a2a-frame", x, y: TOP, width: COL_W, height: tags.length * rowH }));
    g.append(svg("text", { x: x + COL_W / 2, y: TOP - 4, "text-anchor": "middle", class: "op-pic-small" }, side === "out" && planned ? "plan" : side));
    return g;
  };
  const root = svg("svg", {
    class: "op-a2a-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `every rank's input rows by destination and out rows by source (${w.kind})`,
  }, svg("defs", {}, svg("pattern", { id: "op-a2a-hatch", width: 5, height: 5, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    svg("rect", { width: 5, height: 5, fill: "#e4e6eb" }), svg("line", { x1: 0, y1: 0, x2: 0, y2: 5, stroke: "#9aa0ab", "stroke-width": 2 }))));
  w.ranks.forEach((rk, r) => {
    const x0 = 1 + r * (groupW + RANK_GAP);
    root.append(svg("text", { x: x0 + groupW / 2, y: 12, "text-anchor": "middle", class: "op-pic-label" }, `rank ${r}`));
    root.append(column(x0, "in", rk.inTags, r), column(x0 + COL_W + GAP, "out", rk.outTags, r));
    for (const row of (bad[r] ?? []).slice(0, MAX_BAD)) {
      counts.bad++;
      root.append(svg("rect", { class: "op-a2a-bad", x: x0 + COL_W + GAP, y: TOP + row * rowH, width: COL_W, height: Math.max(rowH, 1.5) },
        svg("title", {}, `row ${row}: differs from the page's computation`)));
    }
  });
  root.dataset.inRows = String(counts.in);
  root.dataset.outRows = String(counts.out);
  root.dataset.padRows = String(counts.pad);
  root.dataset.badRows = String(counts.bad);
  const ne = w.experts;
  const legend = el("p", { className: "op-pic-legend" },
    ...w.ranks.map((_, r) => el("span", { className: "op-swatch-item" },
      el("span", { className: "op-swatch", style: `background: ${rankColour(r)}` }), `rank ${r}`)),
    ...(ne > 1 ? [el("span", { className: "op-swatch-item" },
      ...Array.from({ length: ne }, (_, e) => el("span", { className: "op-swatch", style: `background: ${rankColour(0, e, ne)}` })),
      ` expert 0…${ne - 1} (darker first)`)] : []),
    ...(ne > 1 || w.kind === "2d" || w.kind === "2d_offset"
      ? [el("span", { className: "op-swatch-item" }, el("span", { className: "op-swatch op-swatch-pad" }), "major_align padding")] : []),
    el("span", { className: "op-swatch-item" }, el("span", { className: "op-swatch op-swatch-unused" }), "not sent / not written"),
    el("span", { className: "op-swatch-item" }, el("span", { className: "op-swatch op-swatch-bad" }), "differs from the page"));
  const layout = {
    plain: "equal slots in, slots by source out",
    vdev: "in: rank-major by destination; out: rank-major by source",
    plan: "in: rank-major by destination; out: where the plan puts each source's rows",
    get: "in: rank-major by destination; out: rank-major by source",
    "2d": "in: rank-major (destination rank, shaded by its expert); out: expert-major (source rank, shaded by my expert)",
    "2d_offset": "in: expert-major with padding (destination rank, shaded by my expert); out: rank-major (source rank, shaded by its expert)",
  }[w.kind];
  return el("figure", { className: "op-picture" }, root,
    el("figcaption", {}, planned
      ? `${layout}; nothing moves yet. ${w.inRows} input rows and ${w.outRows} out rows per rank.`
      : `${layout}. ${w.inRows} input rows and ${w.outRows} out rows per rank, ${w.width} element${w.width === 1 ? "" : "s"} each.`),
    legend);
}
