// Element-wise reduction of `sources` blocks of one packed buffer into dst, in block (rank)
// order, so every rank that runs it on the same inputs gets the same bits.
// A template: reduce-shader.ts fills its placeholders. One "unit" is what one invocation handles
// (1 element, 2 for bf16 words, or 4 on the vec4 path).
${ENABLE}
struct Params {
  units: u32,       // units this dispatch covers
  unit_offset: u32, // first unit it covers: the scalar tail starts after the vec4 body
  src_stride: u32,  // units from one source block to the next
  sources: u32,
  row_pitch: u32,   // invocations per row of the 2-D dispatch, folded past the per-dimension limit
}

@group(0) @binding(0) var<storage, read> src: array<${STORE_T}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${STORE_T}>;
@group(0) @binding(2) var<uniform> params: Params;

${HELPERS}
fn widen(v: ${STORE_T}) -> ${ACC_T} { return ${WIDEN}; }
fn narrow(v: ${ACC_T}) -> ${STORE_T} { return ${NARROW}; }
fn combine(a: ${ACC_T}, b: ${ACC_T}) -> ${ACC_T} { return ${COMBINE}; }
fn finish(v: ${ACC_T}) -> ${ACC_T} { return ${FINISH}; }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.row_pitch;
  if (i >= params.units) {
    return;
  }
  let u = params.unit_offset + i;
  var acc = widen(src[u]);
  for (var r = 1u; r < params.sources; r++) {
    acc = combine(acc, widen(src[r * params.src_stride + u]));
  }
  dst[u] = narrow(finish(acc));
}
