/**
 * The WGSL compute shaders of the training step (webgpu backend), one per kind of pass, with the
 * same arithmetic in the same order as mlp.ts: gather the batch rows, a fully connected layer
 * forward (+ tanh), softmax cross-entropy with its gradient and the batch's loss sum and correct
 * count, the weight gradient (SUM over the rows, the bias as the block's last row), the gradient
 * with respect to the layer's input through tanh, and the SGD-with-momentum update.
 *
 * Every shader declares the same bindings (BINDINGS below) so that one explicit bind-group layout
 * serves them all; `Dims` says which part of which buffer a pass works on.
 */

/** Threads per workgroup of every pass. */
export const WORKGROUP = 64;

const HEADER = /* wgsl */ `
struct Dims {
  rows: u32,      // examples in this rank's shard
  inDim: u32,     // layer input width
  outDim: u32,    // layer output width
  act: u32,       // 1: tanh, 0: none
  inOff: u32,     // offset (floats) of the input activations in work
  outOff: u32,    // offset of the output in work
  wOff: u32,      // offset of the layer's block in params (and in grad)
  dOff: u32,      // offset of the output's gradient in work
  count: u32,     // number of elements (sgd), or the stats offset in grad (loss)
  lr: f32,
  momentum: f32,
  invBatch: f32,
}
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> points: array<f32>;   // the data set, x0 y0 x1 y1 ...
@group(0) @binding(3) var<storage, read_write> labels: array<u32>;   // the data set's classes
@group(0) @binding(4) var<storage, read_write> indices: array<u32>;  // this step's shard: point indices
@group(0) @binding(5) var<storage, read_write> work: array<f32>;     // activations and their gradients
@group(0) @binding(6) var<storage, read_write> grad: array<f32>;     // gradient sums + [loss sum, correct]
@group(0) @binding(7) var<storage, read_write> velocity: array<f32>; // SGD momentum
`;

/** Number of bindings every shader declares (all storage read_write except 0, the uniform). */
export const BINDINGS = 8;

/** work[outOff + i*2 + c] = points[indices[i]*2 + c]. */
export const GATHER_WGSL = HEADER + /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= dims.rows) { return; }
  let p = indices[i];
  for (var c = 0u; c < dims.outDim; c++) {
    work[dims.outOff + i * dims.outDim + c] = points[p * dims.outDim + c];
  }
}
`;

/** out[i][j] = act(b[j] + Σ_k in[i][k] · W[k][j]), one thread per (i, j). */
export const FORWARD_WGSL = HEADER + /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = gid.x;
  if (g >= dims.rows * dims.outDim) { return; }
  let i = g / dims.outDim;
  let j = g % dims.outDim;
  var s = params[dims.wOff + dims.inDim * dims.outDim + j];
  for (var k = 0u; k < dims.inDim; k++) {
    s += work[dims.inOff + i * dims.inDim + k] * params[dims.wOff + k * dims.outDim + j];
  }
  if (dims.act == 1u) { s = tanh(clamp(s, -15.0, 15.0)); }
  work[dims.outOff + g] = s;
}
`;

/**
 * Softmax cross-entropy over outDim classes, one workgroup: d[i][c] = p[i][c] − [c = y_i] into
 * work[dOff…]; the loss sum and the number of rows whose arg-max is y_i into grad[count], grad[count+1].
 */
export const LOSS_WGSL = HEADER + /* wgsl */ `
var<workgroup> lossPart: array<f32, ${WORKGROUP}>;
var<workgroup> okPart: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let C = dims.outDim;
  var loss = 0.0;
  var ok = 0.0;
  for (var i = lid.x; i < dims.rows; i += ${WORKGROUP}u) {
    let base = dims.inOff + i * C;
    var m = work[base];
    var arg = 0u;
    for (var c = 1u; c < C; c++) {
      if (work[base + c] > m) { m = work[base + c]; arg = c; }
    }
    var z = 0.0;
    for (var c = 0u; c < C; c++) { z += exp(work[base + c] - m); }
    let y = labels[indices[i]];
    for (var c = 0u; c < C; c++) {
      var d = exp(work[base + c] - m) / z;
      if (c == y) { d -= 1.0; }
      work[dims.dOff + i * C + c] = d;
    }
    loss += log(z) + m - work[base + y];
    if (arg == y) { ok += 1.0; }
  }
  lossPart[lid.x] = loss;
  okPart[lid.x] = ok;
  workgroupBarrier();
  if (lid.x == 0u) {
    var l = 0.0;
    var o = 0.0;
    for (var t = 0u; t < ${WORKGROUP}u; t++) { l += lossPart[t]; o += okPart[t]; }
    grad[dims.count] = l;
    grad[dims.count + 1u] = o;
  }
}
`;

/** grad[wOff + k*outDim + j] = Σ_i in[i][k] · d[i][j] (k = inDim: the bias, in = 1), one thread per (k, j). */
export const WEIGHT_GRAD_WGSL = HEADER + /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = gid.x;
  if (g >= (dims.inDim + 1u) * dims.outDim) { return; }
  let k = g / dims.outDim;
  let j = g % dims.outDim;
  var s = 0.0;
  for (var i = 0u; i < dims.rows; i++) {
    var a = 1.0;
    if (k < dims.inDim) { a = work[dims.inOff + i * dims.inDim + k]; }
    s += a * work[dims.dOff + i * dims.outDim + j];
  }
  grad[dims.wOff + g] = s;
}
`;

/** work[outOff + i*inDim + k] = (Σ_j d[i][j] · W[k][j]) · (1 − in[i][k]²): back through the layer and the tanh before it. */
export const BACK_DATA_WGSL = HEADER + /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = gid.x;
  if (g >= dims.rows * dims.inDim) { return; }
  let i = g / dims.inDim;
  let k = g % dims.inDim;
  var s = 0.0;
  for (var j = 0u; j < dims.outDim; j++) {
    s += work[dims.dOff + i * dims.outDim + j] * params[dims.wOff + k * dims.outDim + j];
  }
  let a = work[dims.inOff + g];
  work[dims.outOff + g] = s * (1.0 - a * a);
}
`;

/** SGD with momentum on `count` parameters; grad holds the all-reduced SUM, scaled here by 1/B. */
export const SGD_WGSL = HEADER + /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p >= dims.count) { return; }
  let g = grad[p] * dims.invBatch;
  let v = dims.momentum * velocity[p] + g;
  velocity[p] = v;
  params[p] = params[p] - dims.lr * v;
}
`;
