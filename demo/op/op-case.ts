/**
 * The op runner's two shapes of data: what the page asks every rank to run (OpRunSpec) and what
 * the page knows about an op it can run (OpCase). The cases themselves are in demo/op/catalog.ts
 * and demo/op/exchange-cases.ts; plain data, imported by the page and the rank worker alike.
 */
import type { A2aKind, A2aSpec } from "./a2a-case.ts";
import type { StoredArray } from "./data.ts";
import type { ElementDType, ReduceOpName } from "./numeric.ts";
import type { TileSpec } from "./tile-case.ts";

export type AlgoChoice = "auto" | "one_shot" | "two_shot" | "host";

/** What the page asks every rank to run (the same on every rank). */
export interface OpRunSpec {
  readonly id: string;
  readonly dtype: ElementDType;
  readonly reduceOp: ReduceOpName;
  readonly count: number;
  readonly root: number;
  readonly algo: AlgoChoice;
  readonly seed: number;
  /** The all-to-all controls (used by the cases with `a2a`). */
  readonly a2a: A2aSpec;
  /** The tile controls (used by the cases with `tile`). */
  readonly tile: TileSpec;
}

export interface OpCase {
  /** The op select's value. */
  readonly id: string;
  /** The operator's qualified name (or the high-level API's name). */
  readonly op: string;
  /** What the option says after the name (a variant). */
  readonly variant?: string;
  readonly dtypes: readonly ElementDType[];
  readonly reduce: boolean;
  readonly root: boolean;
  readonly algo: boolean;
  /** An all-to-all: which one (its controls, sizes and picture follow from it). */
  readonly a2a?: A2aKind;
  /** A tile reduction: one root (the root field) or several (the roots field). */
  readonly tile?: "one" | "multi";
  /** Whether the reduction runs in WGSL on webgpu for this spec (float16 then needs shader-f16; avg's division may be inexact). */
  wgsl(spec: OpRunSpec): boolean;
  /** One line on what the call does and what the dispatcher realizes. */
  readonly about: string;
  /** Rank `rank`'s expected output (stored values), given every rank's input in rank order. */
  expected(spec: OpRunSpec, worldSize: number, rank: number, inputs: readonly StoredArray[]): StoredArray;
  /** Rank `rank`'s expected int32 side output (out_splits_offsets, an exchange plan), for the ops that have one. */
  expectedAux?(spec: OpRunSpec, worldSize: number, rank: number): Int32Array;
}
