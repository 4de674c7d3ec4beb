/**
 * The MLP's own ops, a downstream library defined here through the public API only (src/ never
 * names it), so every module that imports this file (the rank module, on every rank) has them:
 *
 * - `tp_mlp::gelu(Tensor x) -> Tensor` and its `Tag.out` variant `tp_mlp::gelu.out(Tensor x, *,
 *   Tensor(a!) out) -> Tensor(a!)`: the activation (GELU, tanh approximation), elementwise, in
 *   float64 and rounded once to float32;
 * - `tp_mlp::empty(int[] size) -> Tensor` and `tp_mlp::empty.out(int[] size, *, Tensor(a!) out)
 *   -> Tensor(a!)`: aten's `empty` / `empty.out` for float32, the buffers the step hands to
 *   multimem_all_gather_out and reduce_scatter_out as their `out`. Eagerly `empty` makes a tensor
 *   of the backend (zeros), which the dispatcher realizes in the heap like any argument; planned,
 *   the planner finds `empty.out` and gives the buffer its home directly (what Inductor's
 *   symmetric-memory `empty` does), so nothing is copied. `empty.out` leaves `out` as it is: both
 *   ops that take it overwrite every element.
 *
 * Every op has a meta kernel (so `rank.plan` can trace it) and kernels for the "cpu" and "webgpu"
 * backends; they run on the host (the webgpu kernel reads its input back), and take regular or
 * symmetric tensors, as the planner may hand them either.
 */
import {
  Library, SymmetricTensor, tensorMeta, type BoundArgs, type OpContext, type Tensor, type TensorMeta,
} from "../../src/index.ts";

/** The namespace of the example's ops. */
export const TP_MLP_NAMESPACE = "tp_mlp";

const lib = new Library(TP_MLP_NAMESPACE, "DEF");
const sizeOf = (a: BoundArgs) => (a.size as number[]).map(Number);
lib.define("gelu(Tensor x) -> Tensor", { meta: (a) => tensorMeta((a.x as TensorMeta).shape, (a.x as TensorMeta).dtype) });
lib.define("gelu.out(Tensor x, *, Tensor(a!) out) -> Tensor(a!)", { meta: (a) => a.out, tags: ["out"] });
lib.define("empty(int[] size) -> Tensor", { meta: (a) => tensorMeta(sizeOf(a), "float32") });
lib.define("empty.out(int[] size, *, Tensor(a!) out) -> Tensor(a!)", { meta: (a) => a.out, tags: ["out"] });

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation, in float64: 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))). */
export function gelu(v: number): number {
  return 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
}

/** An upper bound of |gelu'| over the reals (the maximum is about 1.13), for the error bound (reference.ts). */
export const GELU_LIPSCHITZ = 1.2;

/** This rank's elements of a tensor (symmetric: its own copy; regular: read from its backend). */
async function elementsOf(t: Tensor, ctx: OpContext): Promise<Float32Array> {
  if (t instanceof SymmetricTensor) return Float32Array.from(t.elements() as Float32Array);
  return Float32Array.from(await ctx.backend.read(ctx.rank, t) as Float32Array);
}

/** Writes `values` into `dst` (symmetric, or a tensor of the backend). */
function write(dst: Tensor, values: Float32Array, ctx: OpContext): void {
  if (dst instanceof SymmetricTensor) (dst.data as Float32Array).set(values);
  else ctx.backend.copy(ctx.rank, ctx.backend.createTensor(ctx.rank, dst.shape, "float32", values), dst);
}

function checkFloat32(op: string, t: Tensor): void {
  if (t.dtype !== "float32") throw new Error(`tp_mlp::${op}: float32 only, found ${t.dtype}`);
}

async function geluOf(x: Tensor, ctx: OpContext): Promise<Float32Array> {
  checkFloat32("gelu", x);
  const v = await elementsOf(x, ctx);
  for (let i = 0; i < v.length; i++) v[i] = gelu(v[i]);
  return v;
}

/** A kernel as Library.impl takes it (the dispatcher hands it an OpContext). */
const kernel = (fn: (a: BoundArgs, ctx: OpContext) => unknown) => fn as (a: BoundArgs, ctx: unknown) => unknown;

for (const backend of ["cpu", "webgpu"]) {
  lib.impl("gelu", kernel(async (a, ctx) => {
    const x = a.x as Tensor;
    return ctx.backend.createTensor(ctx.rank, x.shape, "float32", await geluOf(x, ctx));
  }), backend);
  lib.impl("gelu.out", kernel(async (a, ctx) => {
    const out = a.out as Tensor;
    checkFloat32("gelu.out", out);
    write(out, await geluOf(a.x as Tensor, ctx), ctx);
    return out;
  }), backend);
  lib.impl("empty", kernel((a, ctx) => ctx.backend.createTensor(ctx.rank, sizeOf(a), "float32")), backend);
  lib.impl("empty.out", kernel((a) => a.out), backend);
}
