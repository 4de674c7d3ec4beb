/**
 * Which picture the op runner draws under a run: the rows of an all-to-all (demo/op/a2a-picture.ts)
 * or the matrices of a tile reduction (demo/op/tile-picture.ts); none for the other ops.
 */
import { a2aPicture } from "./a2a-picture.ts";
import { a2aOf, tileRoots } from "./exchange-cases.ts";
import type { OpCase, OpRunSpec } from "./op-case.ts";
import { tilePicture } from "./tile-picture.ts";

/** The picture of `c` run with `spec`; `wrong[r]` are rank r's wrong output elements (indices). */
export function opPicture(c: OpCase, spec: OpRunSpec, worldSize: number, wrong: readonly (readonly number[])[]): HTMLElement | undefined {
  if (c.a2a !== undefined) {
    const w = a2aOf(c.a2a, spec, worldSize);
    // The plan's output is its words, not rows: nothing to mark.
    const rows = c.a2a === "plan" ? [] : wrong.map((is) => [...new Set(is.map((i) => Math.floor(i / w.width)))]);
    return a2aPicture(w, rows, c.a2a === "plan");
  }
  if (c.tile !== undefined) return tilePicture(spec.tile, tileRoots(c, spec), worldSize, wrong);
  return undefined;
}
