import { type CollectiveDType, type ReduceOp, requireReducible } from "../../../core/reduce-op.ts";
import { OpError } from "../../../core/errors.ts";
import { unitLayout } from "./dtype-layout.ts";
import { REDUCE_OP_WGSL } from "./reduce-ops.ts";
import { BF16_WGSL, REDUCE_WGSL } from "./shaders.generated.ts";
import { fillTemplate } from "./template.ts";

export interface ReduceShaderOptions {
  readonly dtype: CollectiveDType;
  readonly op: ReduceOp;
  /** 4 elements per invocation (the body) instead of one unit (the tail). */
  readonly vec4: boolean;
  readonly workgroupSize: number;
}

/**
 * WGSL of the reduction kernel for one (dtype, op, vec4, workgroup size): for each unit u of
 * the dispatch, dst[u] = finish(src[u] ⊕ src[stride + u] ⊕ … ⊕ src[(sources-1)·stride + u]),
 * folded in source order. Bindings: 0 src (read), 1 dst (read_write), 2 params (uniform).
 * float16 needs the device feature "shader-f16" (the caller checks it before compiling).
 */
export function reduceShaderSource(o: ReduceShaderOptions): string {
  requireReducible("reduce shader", o.op, o.dtype);
  if (!Number.isInteger(o.workgroupSize) || o.workgroupSize < 1) {
    throw new OpError(`reduce shader: workgroupSize must be a positive integer, found ${o.workgroupSize}`);
  }
  const unit = unitLayout(o.dtype, o.vec4);
  const op = REDUCE_OP_WGSL[o.op];
  return fillTemplate("shaders/reduce.wgsl", REDUCE_WGSL, {
    ENABLE: o.dtype === "float16" ? "enable f16;\n" : "",
    STORE_T: unit.storeT,
    ACC_T: unit.accT,
    HELPERS: o.dtype === "bfloat16" ? BF16_WGSL : "",
    WIDEN: unit.widen,
    NARROW: unit.narrow,
    COMBINE: op.combine,
    FINISH: op.finish,
    WORKGROUP_SIZE: String(o.workgroupSize),
  });
}
