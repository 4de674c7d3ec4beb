import { afterEach, describe, expect, it } from "vitest";
import { TimeoutError } from "../src/core/errors.ts";
import {
  SPIN_MIN_WIN_RATE, SPIN_PROBE_EVERY, SPIN_US_FREE_CORES, SPIN_US_SHARED_CORES, SpinGauge, setSpinPolicy, spinGauge,
  spinPolicy, spinPolicyFor,
} from "../src/heap/sync/spin-policy.ts";
import { waitUntil } from "../src/heap/sync/wait.ts";

describe("spin policy", () => {
  const initial = spinPolicy();
  afterEach(() => setSpinPolicy(initial));

  it("spins long only while every busy thread has a core", () => {
    expect(spinPolicyFor(2, "cpu", 2).spinUs).toBe(SPIN_US_FREE_CORES);
    expect(spinPolicyFor(3, "cpu", 2).spinUs).toBe(SPIN_US_SHARED_CORES);
    // a webgpu rank counts twice: its device needs a thread too
    expect(spinPolicyFor(2, "webgpu", 4).spinUs).toBe(SPIN_US_FREE_CORES);
    expect(spinPolicyFor(2, "webgpu", 3).spinUs).toBe(SPIN_US_SHARED_CORES);
    expect(spinPolicyFor(1, "cpu", undefined).spinUs).toBe(SPIN_US_SHARED_CORES);
    expect(spinPolicyFor(8, "webgpu", 2).why).toBe("16 busy thread(s) on 2 core(s)");
  });

  it("rejects a budget that is not a non-negative number", () => {
    expect(() => setSpinPolicy({ spinUs: -1, why: "test" })).toThrow(/non-negative.*found -1/);
    expect(() => setSpinPolicy({ spinUs: Number.NaN, why: "test" })).toThrow(RangeError);
  });

  it("the wait loop spins for the realm's budget before it sleeps", async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16));
    const control = new Int32Array(new SharedArrayBuffer(64));
    let attempts = 0;
    const spec = (timeoutMs: number) => ({
      attempt: () => { attempts++; return false; },
      i32, index: 0, sleepValue: () => 0, control, timeoutMs, rank: 0,
      describe: () => "test wait abandoned",
      timeout: () => new TimeoutError("test wait timed out", 0, 1, -1, timeoutMs),
    });
    setSpinPolicy({ spinUs: 0, why: "test" });
    attempts = 0;
    await expect(waitUntil(spec(20))).rejects.toThrow(TimeoutError);
    const sleeping = attempts;
    setSpinPolicy({ spinUs: 20_000, why: "test" });
    attempts = 0;
    await expect(waitUntil(spec(20))).rejects.toThrow(TimeoutError);
    // 20 ms of spinning makes far more attempts than 20 ms of sleeping in slices
    expect(attempts).toBeGreaterThan(sleeping * 10);
  });

  it("the wait loop stops spinning while its spins do not end the wait, and re-measures", async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16));
    const control = new Int32Array(new SharedArrayBuffer(64));
    let attempts = 0;
    let ready = false;
    const wait = () => waitUntil({
      attempt: () => { attempts++; return ready; },
      i32, index: 0, sleepValue: () => 0, control, timeoutMs: 5000, rank: 0, spinUs: 200, neverBlock: true,
      describe: () => "test wait abandoned",
      timeout: () => new TimeoutError("test wait timed out", 0, 1, -1, 0),
    });
    setSpinPolicy({ spinUs: 200, why: "test" }); // resets the gauge
    // Waits that a spin never ends (released by a timer after the spin gave up) teach the gauge.
    const lost = async () => {
      ready = false;
      attempts = 0;
      const t = setTimeout(() => {
        ready = true;
        Atomics.notify(i32, 0);
      }, 2);
      await wait();
      clearTimeout(t);
      return attempts;
    };
    const first = await lost();
    expect(first).toBeGreaterThan(64); // it spun
    for (let i = 0; i < 60 && spinGauge.winRate >= SPIN_MIN_WIN_RATE; i++) await lost();
    expect(spinGauge.winRate).toBeLessThan(SPIN_MIN_WIN_RATE);
    const counts: number[] = [];
    for (let i = 0; i < SPIN_PROBE_EVERY; i++) counts.push(await lost());
    // Now only one wait in SPIN_PROBE_EVERY spins; the others try once before and once per wake-up.
    expect(counts.filter((n) => n > 64)).toHaveLength(1);
    // A wait whose condition already holds never spins, so it teaches nothing either way.
    ready = true;
    await wait();
  });
});

describe("spin gauge", () => {
  it("pays at first, stops paying after losses, probes one wait in SPIN_PROBE_EVERY, and pays again after wins", () => {
    const g = new SpinGauge();
    expect(g.pays()).toBe(true);
    let losses = 0;
    while (g.winRate >= SPIN_MIN_WIN_RATE) {
      g.record(false);
      losses++;
    }
    expect(losses).toBeGreaterThan(20); // an average over recent spins, not the last one
    const decisions = Array.from({ length: 3 * SPIN_PROBE_EVERY }, () => g.pays());
    expect(decisions.filter(Boolean)).toHaveLength(3);
    expect(decisions[SPIN_PROBE_EVERY - 1]).toBe(true);
    for (let i = 0; i < 4; i++) g.record(true);
    expect(g.pays()).toBe(true);
    g.reset();
    expect(g.winRate).toBe(1);
  });

  it("keeps paying where most spins end the wait", () => {
    const g = new SpinGauge();
    for (let i = 0; i < 1000; i++) g.record(i % 4 !== 0); // 75 % wins
    expect(g.winRate).toBeGreaterThan(0.5);
    expect(Array.from({ length: 100 }, () => g.pays()).every(Boolean)).toBe(true);
  });
});
