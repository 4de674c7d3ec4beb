/**
 * The particles panel's force kernel in WGSL, for the webgpu ranks: the same kick-drift-kick
 * steps as nbody.ts, with the positions tiled through workgroup memory 64 at a time.
 * Bindings: 0 params, 1 the rank's own positions (the all-gather's input), 2 its velocities,
 * 3 its accelerations (a, φ), 4 every body's positions (the all-gather's output).
 */
export const WORKGROUP = 64;

export const NBODY_WGSL = /* wgsl */ `
struct Params {
  offset: u32,
  nLocal: u32,
  nTotal: u32,
  pad0: u32,
  dt: f32,
  eps2: f32,
  pad1: f32,
  pad2: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> localPos: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> vel: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> acc: array<vec4f>;
@group(0) @binding(4) var<storage, read> allPos: array<vec4f>;

// v += a dt/2; x += v dt, for the rank's own slice.
@compute @workgroup_size(${WORKGROUP})
fn kickDrift(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= P.nLocal) { return; }
  let v = vel[i].xyz + acc[i].xyz * (0.5 * P.dt);
  vel[i] = vec4f(v, 0.0);
  let p = localPos[i];
  localPos[i] = vec4f(p.xyz + v * P.dt, p.w);
}

var<workgroup> tile: array<vec4f, ${WORKGROUP}>;

// a_i = Σ_j m_j d / (|d|² + ε²)^(3/2), φ_i = -Σ_j m_j / (|d|² + ε²)^(1/2) (j ≠ i); then v += a dt/2.
@compute @workgroup_size(${WORKGROUP})
fn forceKick(@builtin(global_invocation_id) g: vec3u, @builtin(local_invocation_index) l: u32) {
  let i = g.x;
  let gi = P.offset + min(i, P.nLocal - 1u);
  let me = allPos[gi].xyz;
  var a = vec3f(0.0);
  var phi = 0.0;
  for (var base = 0u; base < P.nTotal; base += ${WORKGROUP}u) {
    let j = base + l;
    tile[l] = select(vec4f(0.0), allPos[min(j, P.nTotal - 1u)], j < P.nTotal);
    workgroupBarrier();
    let count = min(${WORKGROUP}u, P.nTotal - base);
    for (var k = 0u; k < count; k++) {
      let q = tile[k];
      let d = q.xyz - me;
      let inv = inverseSqrt(dot(d, d) + P.eps2);
      let w = select(q.w, 0.0, base + k == gi);
      a += d * (w * inv * inv * inv);
      phi -= w * inv;
    }
    workgroupBarrier();
  }
  if (i < P.nLocal) {
    acc[i] = vec4f(a, phi);
    vel[i] = vec4f(vel[i].xyz + a * (0.5 * P.dt), 0.0);
  }
}
`;
