/**
 * The naive baseline's reduction on the main thread: plain loops over typed arrays, in rank
 * order, as a developer would write them (16-bit floats go through f32 and back).
 */
import { type CollectiveDType, narrow, type ReduceOp, widen } from "../../internal.ts";
import { rawArray, type RawArray } from "../data.ts";

export function naiveReduce(dtype: CollectiveDType, op: ReduceOp, parts: readonly ArrayBuffer[]): RawArray {
  const views = parts.map((p) => rawArray(dtype, p));
  const n = views[0].length;
  if (dtype === "float16" || dtype === "bfloat16") {
    const acc = new Float32Array(n);
    for (let i = 0; i < n; i++) acc[i] = widen(dtype, views[0][i]);
    for (let r = 1; r < views.length; r++) combine(op, acc, Float32Array.from(views[r], (b) => widen(dtype, b)));
    if (op === "avg") for (let i = 0; i < n; i++) acc[i] /= views.length;
    return Uint16Array.from(acc, (v) => narrow(dtype, v));
  }
  const acc = views[0].slice() as Float32Array | Int32Array;
  for (let r = 1; r < views.length; r++) combine(op, acc, views[r] as Float32Array | Int32Array);
  if (op === "avg") for (let i = 0; i < n; i++) acc[i] /= views.length;
  return acc;
}

function combine(op: ReduceOp, acc: Float32Array | Int32Array, src: Float32Array | Int32Array): void {
  const n = acc.length;
  const int = acc instanceof Int32Array;
  switch (op) {
    case "sum":
    case "avg":
      for (let i = 0; i < n; i++) acc[i] += src[i];
      return;
    case "prod":
      if (int) for (let i = 0; i < n; i++) acc[i] = Math.imul(acc[i], src[i]);
      else for (let i = 0; i < n; i++) acc[i] *= src[i];
      return;
    case "max":
      for (let i = 0; i < n; i++) acc[i] = Math.max(acc[i], src[i]);
      return;
    case "min":
      for (let i = 0; i < n; i++) acc[i] = Math.min(acc[i], src[i]);
      return;
  }
}
