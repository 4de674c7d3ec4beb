/**
 * The op runner's controls for the all-to-alls (rows, row width, splits pattern, experts per
 * rank, major_align) and the tile reductions (the bigger matrix, the tile's place and shape, the
 * roots): the form fields, which of them an op shows, what they say, and the form's checks of
 * them, naming the field.
 */
import { el } from "../dom.ts";
import { checkA2a, SPLITS_PATTERNS, type A2aSpec, type SplitsPattern } from "../op/a2a-case.ts";
import type { OpCase, OpRunSpec } from "../op/op-case.ts";
import { checkTile, parseRoots, type TileSpec } from "../op/tile-case.ts";

/** major_align's choices: None (PyTorch's default, value_or(1)) or a power of two. */
const ALIGNS = ["None", "1", "2", "4", "8", "16"];

/** The fields, and what the panel asks of them. */
export interface ExchangeFields {
  /** The labels to put in the form, in order. */
  readonly labels: readonly HTMLElement[];
  /** Every control (the panel disables them while a run is on). */
  readonly controls: readonly (HTMLInputElement | HTMLSelectElement)[];
  read(): { a2a: A2aSpec; tile: TileSpec };
  /** Shows the fields `c` takes (and hides the element count when it takes its own sizes). */
  show(c: OpCase, countLabel: HTMLElement): void;
  /** Puts a roots list that fits a world of `worldSize` ranks (when the one typed does not). */
  fitWorld(worldSize: number): void;
  check(c: OpCase, spec: OpRunSpec, worldSize: number, maxElements: number): string | undefined;
}

/** Makes the fields (hidden until an op that takes them is chosen). */
export function exchangeFields(): ExchangeFields {
  const num = (id: string, value: number, min: number) => el("input", { id, type: "number", min: String(min), value: String(value), step: "1" });
  const rows = num("op-rows", 12, 1);
  const width = num("op-width", 4, 1);
  const splits = el("select", { id: "op-splits" }, ...SPLITS_PATTERNS.map((p) => el("option", { value: p.value }, p.text)));
  const experts = num("op-experts", 2, 1);
  const align = el("select", { id: "op-align" }, ...ALIGNS.map((a) => el("option", { value: a }, a)));
  align.value = "4";
  const matRows = num("op-mat-rows", 8, 1);
  const matCols = num("op-mat-cols", 12, 1);
  const tileRow = num("op-tile-row", 2, 0);
  const tileCol = num("op-tile-col", 3, 0);
  const tileRows = num("op-tile-rows", 3, 0);
  const tileCols = num("op-tile-cols", 4, 0);
  const roots = el("input", { id: "op-roots", type: "text", value: "0, 2", size: 8, spellcheck: false });
  const label = (text: string, id: string, ...controls: HTMLElement[]) => el("label", { id, hidden: true }, text, " ",
    controls.length === 1 ? controls[0] : el("span", { className: "op-pair" }, ...controls.flatMap((c, i) => (i === 0 ? [c] : [" × ", c]))));
  const rowsL = label("rows per rank", "op-rows-field", rows);
  const widthL = label("row width", "op-width-field", width);
  const splitsL = label("splits", "op-splits-field", splits);
  const expertsL = label("experts per rank", "op-experts-field", experts);
  const alignL = label("major_align", "op-align-field", align);
  const matL = label("matrix", "op-mat-field", matRows, matCols);
  const atL = el("label", { id: "op-tile-at-field", hidden: true }, "tile at (row, col)", " ",
    el("span", { className: "op-pair" }, tileRow, ", ", tileCol));
  const shapeL = label("tile shape", "op-tile-shape-field", tileRows, tileCols);
  const rootsL = label("roots (tile i → roots[i])", "op-roots-field", roots);
  const a2aLabels = [rowsL, widthL, splitsL, expertsL, alignL];
  const tileLabels = [matL, atL, shapeL, rootsL];
  const value = (i: HTMLInputElement) => (i.value.trim() === "" ? NaN : Number(i.value));

  return {
    labels: [...a2aLabels, ...tileLabels],
    controls: [rows, width, splits, experts, align, matRows, matCols, tileRow, tileCol, tileRows, tileCols, roots],
    read: () => ({
      a2a: {
        rows: value(rows), width: value(width), splits: splits.value as SplitsPattern, experts: value(experts),
        align: align.value === "None" ? null : Number(align.value),
      },
      tile: {
        matRows: value(matRows), matCols: value(matCols), row: value(tileRow), col: value(tileCol),
        rows: value(tileRows), cols: value(tileCols), roots: parseRoots(roots.value) ?? [],
      },
    }),
    show(c, countLabel) {
      const twoD = c.a2a === "2d" || c.a2a === "2d_offset";
      rowsL.hidden = c.a2a === undefined;
      // The plan moves no rows: their width does not matter.
      widthL.hidden = c.a2a === undefined || c.a2a === "plan";
      splitsL.hidden = c.a2a === undefined || c.a2a === "plain";
      expertsL.hidden = alignL.hidden = !twoD;
      // The combine's major_align lays out its own input (as a dispatch's out would be); the op takes none.
      alignL.firstChild!.textContent = c.a2a === "2d_offset" ? "input blocks aligned to" : "major_align";
      for (const l of tileLabels) l.hidden = c.tile === undefined;
      rootsL.hidden = c.tile !== "multi";
      countLabel.hidden = c.a2a !== undefined || c.tile !== undefined;
    },
    fitWorld(worldSize) {
      const typed = parseRoots(roots.value);
      if (typed === undefined || typed.some((r) => r >= worldSize)) roots.value = worldSize === 1 ? "0" : `0, ${worldSize - 1}`;
    },
    check(c, spec, worldSize, maxElements) {
      if (c.a2a !== undefined) return checkA2a(c.a2a, spec.a2a, worldSize, spec.seed, maxElements);
      if (c.tile === undefined) return undefined;
      if (c.tile === "multi" && parseRoots(roots.value) === undefined) {
        return `roots: expected ranks separated by commas (such as "0, 2"), found ${JSON.stringify(roots.value)}`;
      }
      return checkTile(spec.tile, c.tile === "one" ? [spec.root] : spec.tile.roots, worldSize, maxElements);
    },
  };
}
