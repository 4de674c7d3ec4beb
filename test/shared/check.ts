/** Assertions for scenarios that run outside Vitest (Deno, Chromium pages). */
export function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`scenario check failed: ${message}`);
}

export function sameArray(got: readonly number[], want: readonly number[], what: string): void {
  check(got.length === want.length, `${what}: length ${got.length}, expected ${want.length}`);
  const i = got.findIndex((v, k) => v !== want[k]);
  check(i < 0, `${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
}
