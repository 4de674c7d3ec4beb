/**
 * The page's own number formats, written here rather than taken from the library so that the
 * op runner's check is independent of the code it checks: float16 and bfloat16 to and from
 * float32 (round to nearest even), and the reductions as the README promises them (README.md,
 * "Collectives": accumulation in rank order, every step rounded to float32, float16/bfloat16
 * widened to float32 and rounded once at the end, int32 wrapping).
 */
export type FloatDType = "float32" | "float16" | "bfloat16";
export type ReduceDType = FloatDType | "int32";
/** Every element type the op runner shows. */
export type ElementDType = ReduceDType | "uint32";
export type ReduceOpName = "sum" | "avg" | "max" | "min" | "prod";

const scratch = new DataView(new ArrayBuffer(4));

function f32Bits(v: number): number {
  scratch.setFloat32(0, v);
  return scratch.getUint32(0);
}

function bitsF32(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/** IEEE binary16 from a number: through float32 first (as a GPU narrows an f32), then round to nearest even. */
export function toHalfBits(value: number): number {
  const x = f32Bits(value);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half (or zero): value = m × 2^-24
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let r = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) r++; // may carry into the exponent: correct
  return sign | r;
}

export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >>> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (e - 15) * (1 + m / 1024);
}

/** bfloat16: the top half of the float32, rounded to nearest even; NaN stays NaN. */
export function toBfloatBits(value: number): number {
  const x = f32Bits(value);
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const lower = x & 0xffff;
  let upper = x >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper++;
  return upper & 0xffff;
}

export function fromBfloatBits(bits: number): number {
  return bitsF32((bits & 0xffff) << 16);
}

/** A value as stored in `dtype` (bits for float16 and bfloat16). */
export function floatToBits(dtype: FloatDType, value: number): number {
  if (dtype === "float16") return toHalfBits(value);
  if (dtype === "bfloat16") return toBfloatBits(value);
  return Math.fround(value);
}

export function bitsToFloat(dtype: "float16" | "bfloat16", bits: number): number {
  return dtype === "float16" ? fromHalfBits(bits) : fromBfloatBits(bits);
}

/** Stored element → the value the reduction works on. */
function widen(dtype: ReduceDType, raw: number): number {
  if (dtype === "float16") return fromHalfBits(raw);
  if (dtype === "bfloat16") return fromBfloatBits(raw);
  return raw;
}

/** Reduced value → stored element. */
function narrow(dtype: ReduceDType, v: number): number {
  if (dtype === "int32") return v | 0;
  return floatToBits(dtype, v);
}

/**
 * Element-wise reduction over `inputs` (one array per rank, in rank order), every float step
 * rounded to float32; avg is the float32 sum divided by the number of ranks.
 */
export function reduceInRankOrder(
  dtype: ReduceDType, op: ReduceOpName, inputs: readonly ArrayLike<number>[], count: number, out: { [i: number]: number },
): void {
  const int = dtype === "int32";
  for (let i = 0; i < count; i++) {
    let acc = widen(dtype, inputs[0][i]);
    for (let r = 1; r < inputs.length; r++) {
      const b = widen(dtype, inputs[r][i]);
      switch (op) {
        case "sum": case "avg": acc = int ? (acc + b) | 0 : Math.fround(acc + b); break;
        case "prod": acc = int ? Math.imul(acc, b) : Math.fround(acc * b); break;
        case "max": acc = acc >= b ? acc : b; break;
        case "min": acc = acc <= b ? acc : b; break;
      }
    }
    if (op === "avg") acc = Math.fround(acc / inputs.length);
    out[i] = narrow(dtype, acc);
  }
}
