import type { CollectiveDType } from "../../../core/reduce-op.ts";

/** How one invocation's unit of a dtype is stored and accumulated in WGSL. */
export interface UnitLayout {
  /** Element type of the storage arrays. */
  readonly storeT: string;
  /** Accumulator type: f32-based for f16 and bf16, so they round once, on store. */
  readonly accT: string;
  /** Expressions over `v`: stored unit → accumulator, accumulator → stored unit. */
  readonly widen: string;
  readonly narrow: string;
  /** Elements per unit. */
  readonly elements: number;
  /** Bytes per unit (the array stride). */
  readonly bytes: number;
}

// The vec unit is 4 elements for every dtype, so the vec4 body and the scalar tail split a count
// the same way whatever the dtype. bf16 has no WGSL type: its units are u32 words of 2 elements.
const LAYOUTS: Readonly<Record<CollectiveDType, { scalar: UnitLayout; vec: UnitLayout }>> = {
  float32: {
    scalar: { storeT: "f32", accT: "f32", widen: "v", narrow: "v", elements: 1, bytes: 4 },
    vec: { storeT: "vec4<f32>", accT: "vec4<f32>", widen: "v", narrow: "v", elements: 4, bytes: 16 },
  },
  int32: {
    scalar: { storeT: "i32", accT: "i32", widen: "v", narrow: "v", elements: 1, bytes: 4 },
    vec: { storeT: "vec4<i32>", accT: "vec4<i32>", widen: "v", narrow: "v", elements: 4, bytes: 16 },
  },
  float16: {
    scalar: { storeT: "f16", accT: "f32", widen: "f32(v)", narrow: "f16(v)", elements: 1, bytes: 2 },
    vec: { storeT: "vec4<f16>", accT: "vec4<f32>", widen: "vec4<f32>(v)", narrow: "vec4<f16>(v)", elements: 4, bytes: 8 },
  },
  bfloat16: {
    scalar: { storeT: "u32", accT: "vec2<f32>", widen: "bf16_unpack(v)", narrow: "bf16_pack(v)", elements: 2, bytes: 4 },
    vec: {
      storeT: "vec2<u32>",
      accT: "vec4<f32>",
      widen: "vec4<f32>(bf16_unpack(v.x), bf16_unpack(v.y))",
      narrow: "vec2<u32>(bf16_pack(v.xy), bf16_pack(v.zw))",
      elements: 4,
      bytes: 8,
    },
  },
};

export function unitLayout(dtype: CollectiveDType, vec4: boolean): UnitLayout {
  const l = LAYOUTS[dtype];
  return vec4 ? l.vec : l.scalar;
}
