/**
 * The particles panel's rank functions (names start with "particle", so that demo-ranks.ts
 * merges them without a clash). Each rank keeps its slice of the bodies between calls
 * (demo/particles/rank-sim.ts); the page calls `particleRun` once per frame for a chunk of steps.
 */
import type { Rank } from "../../src/index.ts";
import type { SliceDiagnostics, NBodyConfig } from "../particles/nbody.ts";
import { type ChunkTiming, RankSim } from "../particles/rank-sim.ts";

let sim: RankSim | undefined;

/** What a rank reports after init or a chunk; rank 0 adds every body's position (x, y, z, m). */
export interface ParticleReport extends ChunkTiming {
  rank: number;
  /** Steps taken since init. */
  step: number;
  backend: string;
  diag: SliceDiagnostics;
  positions?: Float32Array;
}

function checkConfig(rank: Rank, cfg: NBodyConfig): void {
  if (!Number.isInteger(cfg.n) || cfg.n < 1 || cfg.n % rank.worldSize !== 0) {
    throw new RangeError(`bodies must be a positive multiple of the world size ${rank.worldSize} (got ${cfg.n})`);
  }
  if (!(cfg.dt > 0) || !(cfg.eps > 0)) throw new RangeError(`dt and eps must be positive (got ${cfg.dt}, ${cfg.eps})`);
}

async function report(rank: Rank, s: RankSim, timing: ChunkTiming, withPositions: boolean): Promise<ParticleReport> {
  const diag = await s.diagnostics();
  const positions = withPositions && rank.rank === 0 ? await s.positions() : undefined;
  return { rank: rank.rank, step: s.step, backend: rank.backend, diag, ...timing, ...(positions ? { positions } : {}) };
}

/** Frees any previous simulation, builds this rank's slice of `cfg`'s bodies and gathers the first positions. */
export async function particleInit(rank: Rank, cfg: NBodyConfig): Promise<ParticleReport> {
  checkConfig(rank, cfg);
  sim?.dispose();
  sim = undefined;
  const s = new RankSim(rank, cfg);
  const t0 = performance.now();
  await s.init();
  sim = s;
  return report(rank, s, { steps: 0, computeMs: 0, commMs: performance.now() - t0 }, true);
}

/** `steps` steps of the current simulation; rank 0 returns the gathered positions when `withPositions`. */
export async function particleRun(rank: Rank, steps: number, withPositions = true): Promise<ParticleReport> {
  if (sim === undefined) throw new Error("no particle simulation on this rank: press start first");
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000) throw new RangeError(`steps per frame must be 1–1000 (got ${steps})`);
  const timing = await sim.run(steps);
  return report(rank, sim, timing, withPositions);
}

/** This rank's own slice: positions and velocities (the tests compare them bit for bit). */
export async function particleState(_rank: Rank): Promise<{ offset: number; positions: Float32Array; velocities: Float32Array }> {
  if (sim === undefined) throw new Error("no particle simulation on this rank");
  return { offset: sim.offset, positions: await sim.positions(), velocities: await sim.velocities() };
}

/** Frees the simulation (its tensors and pipelines). */
export function particleFree(_rank: Rank): boolean {
  const had = sim !== undefined;
  sim?.dispose();
  sim = undefined;
  return had;
}
