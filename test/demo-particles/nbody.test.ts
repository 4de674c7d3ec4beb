/**
 * The particles panel's physics step on the cpu (demo/particles/nbody.ts): momentum is conserved
 * to rounding, and the step as 4 ranks take it (each its slice, positions all-gathered with the
 * library) equals the 1-slice step bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type World } from "../../src/index.ts";
import {
  combineDiagnostics, computeForces, DEFAULT_DT, DEFAULT_EPS, initBodies, makeSlice, type NBodyConfig,
  type Slice, sliceDiagnostics, stepSlices, bodiesError,
} from "../../demo/particles/nbody.ts";
import type { ParticleReport } from "../../demo/ranks/particle-ranks.ts";
import { mulberry32 } from "../../demo/rng.ts";

const totalMomentum = (slices: readonly Slice[]) =>
  combineDiagnostics(slices.map((s) => sliceDiagnostics(s.pos, s.vel, s.acc)));

function run(all: Float32Array, vel: Float32Array, steps: number, dt: number, eps: number, sliceCount = 1) {
  const n = all.length / 4;
  const per = n / sliceCount;
  const slices = Array.from({ length: sliceCount }, (_, r) => makeSlice(all, vel, r * per, per, eps));
  let gathered = all;
  for (let s = 0; s < steps; s++) gathered = stepSlices(slices, dt, eps);
  return { slices, gathered };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("the N-body step on the cpu", () => {
  it("conserves the momentum of 2 bodies (to rounding) while they orbit", () => {
    // unequal masses on a bound orbit about their centre of mass, P = 0 at start
    const pos = Float32Array.from([-0.25, 0, 0, 3, 0.75, 0, 0, 1]);
    const vel = Float32Array.from([0, -0.25, 0, 0, 0, 0.75, 0, 0]);
    const before = totalMomentum([makeSlice(pos, vel, 0, 2, 0.01)]);
    const { slices, gathered } = run(pos, vel, 500, 0.002, 0.01);
    const after = totalMomentum(slices);
    // the bodies moved (a lot) …
    expect(Math.hypot(gathered[4] - pos[4], gathered[5] - pos[5])).toBeGreaterThan(0.3);
    // … while Σ m v stayed at zero to float32 rounding
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(after.momentum[k] - before.momentum[k])).toBeLessThan(1e-5 * after.momentumScale);
    }
    // and the pair forces are opposite: m0 a0 = -m1 a1
    const acc = new Float32Array(8);
    computeForces(gathered, 0, 2, 0.01, acc);
    for (let k = 0; k < 3; k++) expect(3 * acc[k]).toBeCloseTo(-1 * acc[4 + k], 4);
    expect(after.energy).toBeCloseTo(before.energy, 3);
  });

  it("conserves the momentum of a small random system (to rounding)", () => {
    const rnd = mulberry32(7);
    const n = 24;
    const pos = new Float32Array(4 * n), vel = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      pos.set([rnd() - 0.5, rnd() - 0.5, rnd() - 0.5, 0.5 + rnd()], 4 * i);
      vel.set([0.3 * (rnd() - 0.5), 0.3 * (rnd() - 0.5), 0.3 * (rnd() - 0.5), 0], 4 * i);
    }
    const before = totalMomentum([makeSlice(pos, vel, 0, n, 0.05)]);
    expect(Math.hypot(...before.momentum)).toBeGreaterThan(0.01); // not zero to begin with: it must stay what it was
    const { slices } = run(pos, vel, 200, 0.002, 0.05);
    const after = totalMomentum(slices);
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(after.momentum[k] - before.momentum[k])).toBeLessThan(1e-5 * after.momentumScale);
    }
    // a failing sign in the force would show here: the random system changes, energy stays close
    expect(Math.abs(after.kinetic - before.kinetic)).toBeGreaterThan(1e-4);
    expect(Math.abs((after.energy - before.energy) / before.energy)).toBeLessThan(1e-2);
  });

  it("4 slices with a gather take the same step as 1 slice, bit for bit", () => {
    const { pos, vel } = initBodies(64, 3);
    const one = run(pos, vel, 20, DEFAULT_DT, DEFAULT_EPS, 1);
    const four = run(pos, vel, 20, DEFAULT_DT, DEFAULT_EPS, 4);
    expect(bits(four.gathered)).toEqual(bits(one.gathered));
    expect(bits(Float32Array.from(four.slices.flatMap((s) => Array.from(s.vel))))).toEqual(bits(one.slices[0].vel));
  });

  it("names the bodies field when the count does not split over the ranks", () => {
    expect(bodiesError(1000, 3)).toMatch(/^bodies must be a multiple of the world size 3 \(got 1000; try 999 or 1002\)/);
    expect(bodiesError(8, 4)).toMatch(/^bodies must be between 16 and 8192/);
    expect(bodiesError(1024, 4)).toBeUndefined();
  });
});

describe("the N-body step on 4 cpu ranks (demo/ranks/particle-ranks.ts, rank.call all-gather)", () => {
  let world: World;
  beforeAll(async () => {
    world = await launch({
      worldSize: 4, heapBytes: 4 << 20, backend: "cpu", rankModule: new URL("../../demo/ranks/particle-ranks.ts", import.meta.url),
    });
  });
  afterAll(() => world?.close());

  it("equals the 1-slice step in this thread bit for bit, and reports its timings", async () => {
    const cfg: NBodyConfig = { n: 128, seed: 11, dt: DEFAULT_DT, eps: DEFAULT_EPS };
    const init = await world.run<ParticleReport>("particleInit", cfg);
    expect(init.map((r) => r.rank)).toEqual([0, 1, 2, 3]);
    expect(init[0].positions?.length).toBe(4 * 128);
    const chunks = [3, 5];
    let last: ParticleReport[] = [];
    for (const k of chunks) last = await world.run<ParticleReport>("particleRun", k, true);
    expect(last.map((r) => r.step)).toEqual([8, 8, 8, 8]);
    for (const r of last) {
      expect(r.steps).toBe(5);
      expect(r.computeMs).toBeGreaterThan(0);
      expect(r.commMs).toBeGreaterThan(0);
    }
    expect(last.slice(1).every((r) => r.positions === undefined)).toBe(true);

    const { pos, vel } = initBodies(cfg.n, cfg.seed);
    const ref = run(pos, vel, 8, cfg.dt, cfg.eps, 1);
    expect(bits(last[0].positions!)).toEqual(bits(ref.gathered));
    const states = await world.run<{ offset: number; positions: Float32Array; velocities: Float32Array }>("particleState");
    const velocities = new Float32Array(4 * cfg.n);
    for (const s of states) {
      expect(bits(s.positions)).toEqual(bits(ref.gathered)); // every rank gathered the same positions
      velocities.set(s.velocities, 4 * s.offset);
    }
    expect(bits(velocities)).toEqual(bits(ref.slices[0].vel));

    // the page's sums of the ranks' diagnostics equal the diagnostics of the whole system
    const whole = combineDiagnostics([sliceDiagnostics(ref.gathered, ref.slices[0].vel, ref.slices[0].acc)]);
    const summed = combineDiagnostics(last.map((r) => r.diag));
    expect(summed.energy).toBeCloseTo(whole.energy, 10);
    expect(await world.run("particleFree")).toEqual([true, true, true, true]);
  });

  it("rejects a body count that does not split over the ranks, naming the field", async () => {
    await expect(world.run("particleInit", { n: 130, seed: 1, dt: DEFAULT_DT, eps: DEFAULT_EPS })).rejects.toThrow(/bodies must be a positive multiple of the world size 4 \(got 130\)/);
  });
});
