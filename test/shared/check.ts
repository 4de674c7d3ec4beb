/** Assertions for scenarios that run outside Vitest (Deno, Chromium pages). */
export function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`scenario check failed: ${message}`);
}

export function sameArray(got: readonly number[], want: readonly number[], what: string): void {
  check(got.length === want.length, `${what}: length ${got.length}, expected ${want.length}`);
  const i = got.findIndex((v, k) => v !== want[k]);
  check(i < 0, `${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
}

/** The error `p` rejects with; a scenario check failure if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { rank?: number; rankErrorName?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("scenario check failed: expected a rejection, the call succeeded");
}
