/**
 * The op runner's comparison of a rank's output with the page's own expected values: bit for
 * bit where the library promises it, within a stated tolerance where WGSL does not promise
 * correct rounding (avg's division; float16 narrowing on hardware GPUs).
 */
import { displayValue, type StoredArray } from "./data.ts";
import type { ElementDType } from "./numeric.ts";

export interface Verification {
  readonly ok: boolean;
  readonly wrong: number;
  /** The first wrong element, when there is one. */
  readonly first?: { index: number; got: number; want: number };
  /** "bit-exact" or "within tolerance"; `alsoExact` says whether a tolerance check was bit-exact anyway. */
  readonly mode: "bit-exact" | "tolerance";
  readonly alsoExact: boolean;
  readonly lengthProblem?: string;
  /** The indices of the wrong elements (the first WRONG_LISTED of them), for a picture to mark. */
  readonly wrongAt: readonly number[];
}

/** Wrong elements listed in `wrongAt` at most. */
export const WRONG_LISTED = 4096;

/** Relative tolerance (of max(1, |want|)) per dtype, for the tolerance mode: a few ulps. */
export const TOLERANCE: Readonly<Record<ElementDType, number>> = {
  float32: 2 ** -20, float16: 2 ** -9, bfloat16: 2 ** -6, int32: 0, uint32: 0,
};

function sameBits(dtype: ElementDType, a: number, b: number): boolean {
  if (dtype === "float32") return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

export function verify(dtype: ElementDType, want: StoredArray, got: StoredArray, tolerant: boolean): Verification {
  const mode = tolerant ? "tolerance" : "bit-exact";
  if (want.length !== got.length) {
    return {
      ok: false, wrong: Math.max(want.length, got.length), mode, alsoExact: false,
      lengthProblem: `expected ${want.length} elements, got ${got.length}`, wrongAt: [],
    };
  }
  let wrong = 0;
  let inexact = 0;
  let first: Verification["first"];
  const wrongAt: number[] = [];
  const tol = TOLERANCE[dtype];
  for (let i = 0; i < want.length; i++) {
    if (sameBits(dtype, want[i], got[i])) continue;
    inexact++;
    if (tolerant) {
      const w = displayValue(dtype, want[i]);
      const g = displayValue(dtype, got[i]);
      if (Math.abs(g - w) <= tol * Math.max(1, Math.abs(w))) continue;
    }
    wrong++;
    if (wrongAt.length < WRONG_LISTED) wrongAt.push(i);
    first ??= { index: i, got: got[i], want: want[i] };
  }
  return { ok: wrong === 0, wrong, first, mode, alsoExact: inexact === 0, wrongAt };
}
