/**
 * How long a waiter spins before it sleeps, per rank (one rank per worker, so per realm): the one
 * policy of the wait loop (wait.ts), for signal pads and the host pipeline's chunk progress alike.
 *
 * A sleep in Atomics.wait / waitAsync is cheap to enter but costly to leave: on this project's
 * machine (2 vCPUs) a woken waiter runs again after 15 µs at best and after 0.2–0.7 ms at the 99th
 * percentile (a halted vCPU must be woken), which is what made an 8-byte all-reduce on 2 cpu ranks
 * take 355 µs in the benchmark (BENCHMARKS.md, issue 14). Spinning avoids that, but only while
 * the spinner takes a core nobody else needs: with more busy threads than cores (8 ranks on 2
 * cores, or the software GPU's threads beside the ranks) a spinner steals the time of the very
 * peer it waits for. So:
 *
 *   - every busy thread has a core (ranks, plus one GPU thread per rank on webgpu, ≤ cores):
 *     spin up to SPIN_US_FREE_CORES, then sleep;
 *   - otherwise: spin SPIN_US_SHARED_CORES (a peer already on its way answers within that), then
 *     sleep.
 *
 * And only while it pays, measured (SpinGauge): a realm whose recent spins hardly ever ended the
 * wait stops spinning and sleeps at once, re-measuring with one spin in SPIN_PROBE_EVERY waits.
 * With 16 webgpu ranks on 2 cores in Chromium, 1.4 % of the 10 µs spins ended the wait and each
 * cost ~18 µs of a core (a spinner is preempted too): ~70 µs per rank and call, on every rank,
 * while the peers it waits for need the cores (BENCHMARKS.md, issue 14).
 */

/** Spin budget when every busy thread has a core (µs): above the 99th-percentile wake-up cost. */
export const SPIN_US_FREE_CORES = 1000;
/** Spin budget when threads outnumber cores (µs). */
export const SPIN_US_SHARED_CORES = 10;

/** Below this share of spins that ended their wait, spinning does not pay. */
export const SPIN_MIN_WIN_RATE = 0.1;
/** While spinning does not pay, one wait in this many spins anyway, to re-measure. */
export const SPIN_PROBE_EVERY = 16;
/** Spins the gauge's average is taken over (an exponential average: each outcome weighs 1/16). */
const SPIN_WINDOW = 16;

/** Whether spinning pays in this realm: the recent share of spins that ended the wait. */
export class SpinGauge {
  private rate = 1; // optimistic: spin until the measurement says otherwise
  private skipped = 0;

  /** The recent share of spins that ended their wait (1 before any). */
  get winRate(): number {
    return this.rate;
  }

  /** Whether this wait should spin: yes while spins pay, and one wait in SPIN_PROBE_EVERY when not. */
  pays(): boolean {
    if (this.rate >= SPIN_MIN_WIN_RATE) return true;
    if (++this.skipped < SPIN_PROBE_EVERY) return false;
    this.skipped = 0;
    return true;
  }

  /** A spin ended: `won` when the wait was over before its budget ran out. */
  record(won: boolean): void {
    this.rate += ((won ? 1 : 0) - this.rate) / SPIN_WINDOW;
  }

  /** Back to the optimistic start (a new policy, tests). */
  reset(): void {
    this.rate = 1;
    this.skipped = 0;
  }
}

/** This realm's gauge, used by the wait loop (wait.ts). */
export const spinGauge = new SpinGauge();

export interface SpinPolicy {
  /** Microseconds to spin before the first sleep. */
  readonly spinUs: number;
  /** Why (for diagnostics): "8 busy threads on 2 cores". */
  readonly why: string;
}

let current: SpinPolicy = { spinUs: SPIN_US_SHARED_CORES, why: "the default (no rank set a policy)" };

/** The cores this realm reports (navigator.hardwareConcurrency), or undefined where unknown. */
export function reportedCores(): number | undefined {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The policy for a rank of a world of `ranks` workers on `backend`, on a machine of `cores`
 * cores (unknown: assumed shared). A webgpu rank counts twice: its device's work needs a thread
 * too (the software GPU here; a driver thread on real hardware).
 */
export function spinPolicyFor(ranks: number, backend: string, cores: number | undefined): SpinPolicy {
  const busy = backend === "webgpu" ? 2 * ranks : ranks;
  const why = `${busy} busy thread(s) on ${cores ?? "an unknown number of"} core(s)`;
  return cores !== undefined && busy <= cores ? { spinUs: SPIN_US_FREE_CORES, why } : { spinUs: SPIN_US_SHARED_CORES, why };
}

/** Sets this realm's policy (the rank worker does, at start). */
export function setSpinPolicy(policy: SpinPolicy): void {
  if (!(Number.isFinite(policy.spinUs) && policy.spinUs >= 0)) {
    throw new RangeError(`spin policy: spinUs must be a non-negative number of microseconds, found ${policy.spinUs}`);
  }
  current = policy;
  spinGauge.reset();
}

/** This realm's policy. */
export function spinPolicy(): SpinPolicy {
  return current;
}
