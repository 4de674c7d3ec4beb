// out = a · b, tiled: each workgroup computes one TILE × TILE tile of out, stepping through k by
// TK with the a and b tiles it needs in workgroup memory; each of its 16 × 16 invocations owns a
// BLOCK × BLOCK block of the tile. Products are summed in f32, in k order, and rounded once, on store.
// A template: matmul-shader.ts fills its placeholders (the element loads and the store per dtype).
// Matrices are addressed in elements, (row, col) at offset + row * stride + col, so a whole
// buffer is bound and a matrix may start anywhere in it (no 256-byte binding alignment).
${ENABLE}
struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_offset: u32,
  a_stride: u32,
  b_offset: u32,
  b_stride: u32,
  out_offset: u32,
  out_stride: u32,
  tiles_n: u32,   // tiles per row of out
  tiles: u32,     // tiles in all
  row_pitch: u32, // invocations per row of the 2-D dispatch, folded past the per-dimension limit
}

@group(0) @binding(0) var<storage, read> a: array<${IN_T}>;
@group(0) @binding(1) var<storage, read> b: array<${IN_T}>;
@group(0) @binding(2) var<storage, read_write> out: array<${OUT_T}>;
@group(0) @binding(3) var<uniform> params: Params;

const TILE = 64u;
const TK = 16u;
const BLOCK = 4u;
const INVOCATIONS = 256u;

var<workgroup> tile_a: array<f32, 1024>; // TILE rows × TK: [r * TK + p]
var<workgroup> tile_b: array<f32, 1024>; // TK rows × TILE: [p * TILE + c]

${HELPERS}
fn load_a(i: u32) -> f32 { ${LOAD_A} }
fn load_b(i: u32) -> f32 { ${LOAD_B} }
fn store_out(i: u32, v: f32) { ${STORE} }

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  // Uniform per workgroup (workgroup_id and params), so the barriers below stay in uniform control flow.
  let tile = wid.x + wid.y * (params.row_pitch / INVOCATIONS);
  if (tile >= params.tiles) {
    return;
  }
  let row0 = (tile / params.tiles_n) * TILE;
  let col0 = (tile % params.tiles_n) * TILE;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < params.k; k0 += TK) {
    for (var e = 0u; e < 1024u / INVOCATIONS; e++) {
      let idx = li + e * INVOCATIONS;
      let ar = row0 + idx / TK;
      let ap = k0 + idx % TK;
      var av = 0.0;
      if (ar < params.m && ap < params.k) {
        av = load_a(params.a_offset + ar * params.a_stride + ap);
      }
      tile_a[idx] = av;
      let bp = k0 + idx / TILE;
      let bc = col0 + idx % TILE;
      var bv = 0.0;
      if (bp < params.k && bc < params.n) {
        bv = load_b(params.b_offset + bp * params.b_stride + bc);
      }
      tile_b[idx] = bv;
    }
    workgroupBarrier();
    for (var p = 0u; p < TK; p++) {
      var bs: array<f32, 4>;
      for (var j = 0u; j < BLOCK; j++) {
        bs[j] = tile_b[p * TILE + lid.x * BLOCK + j];
      }
      for (var i = 0u; i < BLOCK; i++) {
        let av = tile_a[(lid.y * BLOCK + i) * TK + p];
        for (var j = 0u; j < BLOCK; j++) {
          acc[i * BLOCK + j] += av * bs[j];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < BLOCK; i++) {
    let r = row0 + lid.y * BLOCK + i;
    for (var j = 0u; j < BLOCK; j++) {
      let c = col0 + lid.x * BLOCK + j;
      if (r < params.m && c < params.n) {
        store_out(params.out_offset + r * params.out_stride + c, acc[i * BLOCK + j]);
      }
    }
  }
}
