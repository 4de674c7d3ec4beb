/** printf-style number formatting the nccl-tests table uses. */

/** nccl-tests' time column: %7.2f below 100 µs, %7.1f below 10 ms, %7.0f above. */
export function formatTime(us: number): string {
  const digits = us >= 10000 ? 0 : us >= 100 ? 1 : 2;
  return us.toFixed(digits).padStart(7);
}

/** %6.2f */
export function fixed2(x: number, width = 6): string {
  return x.toFixed(2).padStart(width);
}

/** C's %g: 6 significant digits, trailing zeros dropped, exponent form below 1e-4 and from 1e6. */
export function formatG(x: number, precision = 6): string {
  if (!Number.isFinite(x)) return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const exp = Number(x.toExponential(precision - 1).split("e")[1]);
  if (exp < -4 || exp >= precision) {
    const [m, e] = x.toExponential(precision - 1).split("e");
    const mant = m.includes(".") ? m.replace(/\.?0+$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = x.toFixed(Math.max(0, precision - 1 - exp));
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** A readable byte count: 8 B, 1 KiB, 64 MiB (exact powers only; else bytes). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}
