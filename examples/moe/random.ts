/**
 * Seeded values without state: `uniform(seed, stream, i)` is the i-th value of a stream, so any
 * rank (and the single-rank reference) can produce any token, gate or weight on its own.
 */

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A float32 in [-1, 1), a pure function of its three integer arguments. */
export function uniform(seed: number, stream: number, i: number): number {
  const h = mix(mix(mix(seed + 0x9e3779b9) ^ stream) + i);
  return Math.fround(h / 2 ** 31 - 1);
}

/** Streams: one per kind of value, so they never overlap. */
export const STREAM = {
  token: (rank: number) => 1000 + rank,
  gate: 1,
  bias: 2,
  w1: (expert: number) => 100_000 + 2 * expert,
  w2: (expert: number) => 100_001 + 2 * expert,
} as const;
