/**
 * The N-body model of the particles panel, on the host: softened gravity (G = 1), integrated with
 * leapfrog in kick-drift-kick form (velocity Verlet). Bodies are vec4s of float32: positions
 * (x, y, z, mass), velocities (vx, vy, vz, 0), accelerations (ax, ay, az, φ) with φ the potential
 * at the body. A rank owns the slice [offset, offset + count) of the bodies; one step is
 *
 *   kickDrift (own slice) → all-gather of the positions → forceKick (own slice against all)
 *
 * The force on body i sums over j = 0 … N-1 in order, so it depends on the gathered positions only,
 * never on how the bodies are sliced: a 4-slice step equals the 1-slice step bit for bit. The
 * webgpu ranks run the same steps in WGSL (nbody-wgsl.ts); this file is the cpu ranks' kernel
 * and the page's reference.
 */
import { mulberry32 } from "../rng.ts";

export interface NBodyConfig {
  /** Number of bodies (a multiple of the world size). */
  n: number;
  /** Seed of the initial conditions. */
  seed: number;
  /** Time step. */
  dt: number;
  /** Softening length ε: forces go as d / (|d|² + ε²)^(3/2). */
  eps: number;
}

export const DEFAULT_DT = 0.002;
export const DEFAULT_EPS = 0.05;
/** The bounds of the panel's "bodies" field. */
export const MIN_BODIES = 16;
export const MAX_BODIES = 8192;

// The demo's seeded PRNG (demo/rng.ts) makes the same bodies on every rank and in the page.

/**
 * The initial conditions: body 0 is a heavy centre (mass 1), the rest a thin disk of total mass
 * 0.25 on near-circular orbits (radius 0.3–2), with the centre-of-mass velocity removed so that
 * the total momentum starts at zero (to float32 rounding).
 */
export function initBodies(n: number, seed: number): { pos: Float32Array; vel: Float32Array } {
  const pos = new Float32Array(4 * n);
  const vel = new Float32Array(4 * n);
  const rnd = mulberry32(seed);
  const central = 1;
  const diskMass = 0.25;
  const m = n > 1 ? diskMass / (n - 1) : 0;
  pos[3] = central;
  const radii: number[] = [];
  for (let i = 1; i < n; i++) radii.push(0.3 + 1.7 * Math.sqrt(rnd()));
  for (let i = 1; i < n; i++) {
    const r = radii[i - 1];
    const theta = 2 * Math.PI * rnd();
    const z = 0.04 * (rnd() - 0.5) * r;
    const inner = central + diskMass * ((r - 0.3) / 1.7) ** 2; // mass inside r, roughly
    const v = Math.sqrt(inner / Math.sqrt(r * r + DEFAULT_EPS * DEFAULT_EPS)) * (0.97 + 0.06 * rnd());
    pos.set([r * Math.cos(theta), r * Math.sin(theta), z, m], 4 * i);
    vel.set([-v * Math.sin(theta), v * Math.cos(theta), 0.02 * (rnd() - 0.5), 0], 4 * i);
  }
  // remove the centre-of-mass velocity and position
  const total = central + m * (n - 1);
  const c = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      c[k] += pos[4 * i + 3] * pos[4 * i + k];
      c[3 + k] += pos[4 * i + 3] * vel[4 * i + k];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      pos[4 * i + k] -= c[k] / total;
      vel[4 * i + k] -= c[3 + k] / total;
    }
  }
  return { pos, vel };
}

/**
 * Accelerations and potentials of the bodies offset … offset+count-1 of `all` (N vec4 positions),
 * into `acc` (count vec4s: a and φ). Sums over j in order, skipping j = i.
 */
export function computeForces(all: Float32Array, offset: number, count: number, eps: number, acc: Float32Array): void {
  const n = all.length / 4;
  const eps2 = eps * eps;
  for (let li = 0; li < count; li++) {
    const i = offset + li;
    const xi = all[4 * i], yi = all[4 * i + 1], zi = all[4 * i + 2];
    let ax = 0, ay = 0, az = 0, phi = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = all[4 * j] - xi, dy = all[4 * j + 1] - yi, dz = all[4 * j + 2] - zi;
      const mj = all[4 * j + 3];
      const r2 = dx * dx + dy * dy + dz * dz + eps2;
      const inv = 1 / Math.sqrt(r2);
      const s = mj * inv * inv * inv;
      ax += dx * s; ay += dy * s; az += dz * s;
      phi -= mj * inv;
    }
    acc[4 * li] = ax; acc[4 * li + 1] = ay; acc[4 * li + 2] = az; acc[4 * li + 3] = phi;
  }
}

/** The first half kick and the drift of a slice: v += a·dt/2, x += v·dt (in place). */
export function kickDrift(pos: Float32Array, vel: Float32Array, acc: Float32Array, dt: number): void {
  for (let i = 0; i < pos.length; i += 4) {
    for (let k = 0; k < 3; k++) {
      vel[i + k] += acc[i + k] * (0.5 * dt);
      pos[i + k] += vel[i + k] * dt;
    }
  }
}

/** The second half kick of a slice: v += a·dt/2 (in place). */
export function kick(vel: Float32Array, acc: Float32Array, dt: number): void {
  for (let i = 0; i < vel.length; i += 4) {
    for (let k = 0; k < 3; k++) vel[i + k] += acc[i + k] * (0.5 * dt);
  }
}

/** One slice's part of the conserved quantities: kinetic and potential energy, momentum, Σ m|v|. */
export interface SliceDiagnostics {
  kinetic: number;
  potential: number;
  momentum: [number, number, number];
  /** Σ m|v|: the scale the momentum drift is measured against. */
  momentumScale: number;
}

/** The diagnostics of a slice from its positions (for the masses), velocities and accelerations (for φ). */
export function sliceDiagnostics(pos: Float32Array, vel: Float32Array, acc: Float32Array): SliceDiagnostics {
  let kinetic = 0, potential = 0, px = 0, py = 0, pz = 0, scale = 0;
  for (let i = 0; i < pos.length; i += 4) {
    const m = pos[i + 3];
    const vx = vel[i], vy = vel[i + 1], vz = vel[i + 2];
    const v2 = vx * vx + vy * vy + vz * vz;
    kinetic += 0.5 * m * v2;
    potential += 0.5 * m * acc[i + 3]; // each pair counted twice over all slices
    px += m * vx; py += m * vy; pz += m * vz;
    scale += m * Math.sqrt(v2);
  }
  return { kinetic, potential, momentum: [px, py, pz], momentumScale: scale };
}

/** The slices' diagnostics summed in rank order: total energy and momentum. */
export function combineDiagnostics(parts: readonly SliceDiagnostics[]): { energy: number; kinetic: number; potential: number; momentum: [number, number, number]; momentumScale: number } {
  let kinetic = 0, potential = 0, scale = 0;
  const momentum: [number, number, number] = [0, 0, 0];
  for (const p of parts) {
    kinetic += p.kinetic; potential += p.potential; scale += p.momentumScale;
    for (let k = 0; k < 3; k++) momentum[k] += p.momentum[k];
  }
  return { energy: kinetic + potential, kinetic, potential, momentum, momentumScale: scale };
}

/** A slice of the system as one rank holds it: its own positions, velocities, accelerations. */
export interface Slice {
  offset: number;
  count: number;
  pos: Float32Array;
  vel: Float32Array;
  acc: Float32Array;
}

/** The slice [offset, offset+count) of a full system, with its accelerations from `all`. */
export function makeSlice(all: Float32Array, vel: Float32Array, offset: number, count: number, eps: number): Slice {
  const s: Slice = {
    offset, count,
    pos: all.slice(4 * offset, 4 * (offset + count)),
    vel: vel.slice(4 * offset, 4 * (offset + count)),
    acc: new Float32Array(4 * count),
  };
  computeForces(all, offset, count, eps, s.acc);
  return s;
}

/**
 * One step of a sliced system, as the ranks take it, with `gather` standing in for the
 * all-gather (it concatenates the slices' positions in rank order). Returns the gathered positions.
 */
export function stepSlices(slices: readonly Slice[], dt: number, eps: number,
  gather: (parts: readonly Float32Array[]) => Float32Array = concat): Float32Array {
  for (const s of slices) kickDrift(s.pos, s.vel, s.acc, dt);
  const all = gather(slices.map((s) => s.pos));
  for (const s of slices) {
    computeForces(all, s.offset, s.count, eps, s.acc);
    kick(s.vel, s.acc, dt);
  }
  return all;
}

/** The parts laid end to end (what the all-gather returns). */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** An error naming the "bodies" field when `n` cannot be split over `worldSize` ranks; undefined when it can. */
export function bodiesError(n: number, worldSize: number): string | undefined {
  if (!Number.isInteger(n)) return `bodies must be a whole number (got ${n})`;
  if (n < MIN_BODIES || n > MAX_BODIES) return `bodies must be between ${MIN_BODIES} and ${MAX_BODIES} (got ${n})`;
  if (n % worldSize !== 0) {
    const lo = Math.max(worldSize, n - (n % worldSize));
    return `bodies must be a multiple of the world size ${worldSize} (got ${n}; try ${lo} or ${lo + worldSize})`;
  }
  return undefined;
}
