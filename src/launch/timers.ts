/**
 * Timers of the launcher and the world that never outlive what they bound: a pending timer keeps
 * Node and Deno running, so a bound left armed after its race settled makes a script that
 * closed its world exit that much later.
 */

/** A delay that can be cancelled; `promise` resolves after `ms` unless `cancel()` came first (then never). */
export function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * `p`, bounded: if it has not settled after `ms`, rejects with `onTimeout()`. `ms` 0 means no bound.
 * The timer is cleared as soon as either side settles.
 */
export async function within<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms === 0) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `p` settled (its value or error ignored), or `ms` passed, whichever first; the timer is cleared. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  const d = delay(ms);
  try {
    await Promise.race([p.then(() => {}, () => {}), d.promise]);
  } finally {
    d.cancel();
  }
}
