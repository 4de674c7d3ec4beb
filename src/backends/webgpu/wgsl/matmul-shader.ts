import type { MatmulDType } from "../../matmul.ts";
import { BF16_WGSL, MATMUL_WGSL } from "./shaders.generated.ts";
import { fillTemplate } from "./template.ts";

/** How one dtype is loaded (widened to f32) and stored (rounded from f32) in shaders/matmul.wgsl. */
interface MatmulDTypeWgsl {
  readonly enable: string;
  readonly inT: string;
  readonly outT: string;
  readonly helpers: string;
  /** Bodies of load_a / load_b, over the element index `i` (the binding's name is substituted for X). */
  readonly load: string;
  /** Body of store_out(i, v). */
  readonly store: string;
}

const DTYPES: Readonly<Record<MatmulDType, MatmulDTypeWgsl>> = {
  float32: { enable: "", inT: "f32", outT: "f32", helpers: "", load: "return X[i];", store: "out[i] = v;" },
  float16: {
    enable: "enable f16;\n", inT: "f16", outT: "f16", helpers: "", load: "return f32(X[i]);", store: "out[i] = f16(v);",
  },
  // bf16 pairs share a u32 word, and neighbours in a row may belong to other invocations (or lie
  // outside the matrix: guard elements): each store changes only its own half, atomically.
  bfloat16: {
    enable: "",
    inT: "u32",
    outT: "atomic<u32>",
    helpers: BF16_WGSL,
    load: "let w = X[i >> 1u]; return bitcast<f32>(select(w << 16u, w & 0xffff0000u, (i & 1u) == 1u));",
    store: "let shift = (i & 1u) * 16u; atomicAnd(&out[i >> 1u], ~(0xffffu << shift)); " +
      "atomicOr(&out[i >> 1u], bf16_round(v) << shift);",
  },
};

/**
 * WGSL of the tiled matmul for one dtype: bindings 0 a (read), 1 b (read), 2 out (read_write),
 * 3 params (uniform); workgroups of 16 × 16, one 64 × 64 tile of out each. float16 needs the
 * device feature "shader-f16" (the program says so; the runner checks it before compiling).
 */
export function matmulShaderSource(dtype: MatmulDType): string {
  const d = DTYPES[dtype];
  return fillTemplate("shaders/matmul.wgsl", MATMUL_WGSL, {
    ENABLE: d.enable,
    IN_T: d.inT,
    OUT_T: d.outT,
    HELPERS: d.helpers,
    LOAD_A: d.load.replaceAll("X", "a"),
    LOAD_B: d.load.replaceAll("X", "b"),
    STORE: d.store,
  });
}
