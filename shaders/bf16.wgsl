// bfloat16 emulated in u32 words, two elements per word, the even element in the low half.
// A bf16 is the high half of an f32, so widening is a shift or a mask.
fn bf16_unpack(w: u32) -> vec2<f32> {
  return vec2<f32>(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u));
}

// Round to nearest even, bit for bit as f32ToBf16 in reduce-math.ts (the host oracle):
// a NaN stays NaN (quiet bit set, sign kept) instead of rounding into infinity.
fn bf16_round(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u) {
    return ((b >> 16u) | 0x40u) & 0xffffu;
  }
  return ((b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u) & 0xffffu;
}

fn bf16_pack(v: vec2<f32>) -> u32 {
  return bf16_round(v.x) | (bf16_round(v.y) << 16u);
}
