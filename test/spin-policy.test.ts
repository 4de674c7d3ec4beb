import { afterEach, describe, expect, it } from "vitest";
import { TimeoutError } from "../src/core/errors.ts";
import {
  SPIN_US_FREE_CORES, SPIN_US_SHARED_CORES, setSpinPolicy, spinPolicy, spinPolicyFor,
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
});
