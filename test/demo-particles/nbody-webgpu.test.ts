/**
 * The particles panel's WGSL kernel (demo/particles/nbody-wgsl.ts) on Node's WebGPU (Dawn on
 * SwiftShader), through the rank functions the demo runs: 4 ranks with their own devices equal
 * 1 rank bit for bit (the force sums run over every body in order, however they are sliced), and
 * the float32 GPU step follows the cpu reference closely. Skipped, saying why, without Dawn.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { launch } from "../../src/index.ts";
import { DEFAULT_DT, DEFAULT_EPS, initBodies, makeSlice, type NBodyConfig, stepSlices } from "../../demo/particles/nbody.ts";
import type { ParticleReport } from "../../demo/ranks/particle-ranks.ts";
import { probeNodeGpu } from "../webgpu-node/node-gpu.ts";

// Mesa's Vulkan loader complains on every device without one (the ranks' workers inherit it).
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), "xdg-"));
const { skip } = await probeNodeGpu();
if (skip !== undefined) console.warn(`SKIP the particles WGSL test: ${skip}`);

const rankModule = new URL("../../demo/ranks/particle-ranks.ts", import.meta.url);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function simulate(worldSize: number, cfg: NBodyConfig, steps: number) {
  const world = await launch({ worldSize, heapBytes: 4 << 20, backend: "webgpu", rankModule });
  try {
    await world.run<ParticleReport>("particleInit", cfg);
    const reports = await world.run<ParticleReport>("particleRun", steps, true);
    const states = await world.run<{ offset: number; velocities: Float32Array }>("particleState");
    const vel = new Float32Array(4 * cfg.n);
    for (const s of states) vel.set(s.velocities, 4 * s.offset);
    await world.run("particleFree");
    return { positions: reports[0].positions!, vel, reports };
  } finally {
    await world.close();
  }
}

describe.skipIf(skip !== undefined)("the particles kernel in WGSL (Node, Dawn)", () => {
  // 200 bodies: not a multiple of the 64-wide workgroup, so the tiles' tails are exercised
  const cfg: NBodyConfig = { n: 200, seed: 5, dt: DEFAULT_DT, eps: DEFAULT_EPS };
  const steps = 10;

  it("4 ranks equal 1 rank bit for bit and follow the cpu reference", async () => {
    const one = await simulate(1, cfg, steps);
    const four = await simulate(4, cfg, steps);
    expect(bits(four.positions)).toEqual(bits(one.positions));
    expect(bits(four.vel)).toEqual(bits(one.vel));
    for (const r of four.reports) {
      expect(r.backend).toBe("webgpu");
      expect(r.computeMs).toBeGreaterThan(0);
      expect(r.commMs).toBeGreaterThan(0);
    }

    const { pos, vel } = initBodies(cfg.n, cfg.seed);
    const s = makeSlice(pos, vel, 0, cfg.n, cfg.eps);
    let ref = pos;
    for (let k = 0; k < steps; k++) ref = stepSlices([s], cfg.dt, cfg.eps);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - four.positions[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // … and the bodies did move, more than that tolerance
    let moved = 0;
    for (let i = 0; i < ref.length; i++) moved = Math.max(moved, Math.abs(ref[i] - pos[i]));
    expect(moved).toBeGreaterThan(1e-2);
  }, 120_000);
});
