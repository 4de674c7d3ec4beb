/**
 * The cpu backend's matmul: blocked JavaScript loops over CpuTensors and heap tensors (this rank's
 * copy, read and written in place through typed views of the slab). Products are summed in
 * float64 in k order and rounded once, on store, to the dtype: float16 and bfloat16 are widened
 * exactly to float32 first (the reduce arithmetic's converters, src/core/reduce-math.ts).
 */
import { type AnyTypedArray, typedView } from "../../core/dtype.ts";
import { OpError } from "../../core/errors.ts";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../../core/reduce-math.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import { checkMatmulJob, elementsOf, type MatmulDType, type MatmulJob, type Matmuler, type MatrixLayout } from "../matmul.ts";
import type { RankContext } from "../rank-context.ts";
import { CpuTensor } from "./cpu-tensor.ts";

/** Columns of `out` computed together: a panel of b this wide stays in cache across the rows of a. */
const COLS_BLOCK = 256;

/** Float32 values of a matrix, element (i, j) at `offset + i * stride + j`. */
interface Operand {
  readonly values: Float32Array;
  readonly offset: number;
  readonly stride: number;
}

/** The elements of a tensor from its first on, as its dtype's typed array (raw bits for 16-bit floats). */
function elementView(t: MatrixLayout["tensor"], where: string): AnyTypedArray {
  if (t instanceof SymmetricTensor) return typedView(t.dtype, t.slab, t.byteOffset, elementsOf(t));
  if (t instanceof CpuTensor) return t.data;
  throw new OpError(`${where}: expected a cpu tensor or a symmetric tensor, found a ${t.backend} ${t.dtype} tensor`);
}

/** float32 is read in place; float16 and bfloat16 are widened, row by row, into a packed copy. */
function operand(m: MatrixLayout, dtype: MatmulDType, where: string): Operand {
  const view = elementView(m.tensor, where);
  if (dtype === "float32") return { values: view as Float32Array, offset: m.offset, stride: m.rowStride };
  const widen = dtype === "float16" ? f16ToF32 : bf16ToF32;
  const values = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    const from = m.offset + i * m.rowStride;
    for (let j = 0; j < m.cols; j++) values[i * m.cols + j] = widen(view[from + j]);
  }
  return { values, offset: 0, stride: m.cols };
}

/** out = a · b on the host; the job is checked first (checkMatmulJob). */
export function cpuMatmul(job: MatmulJob, where = "cpu matmul"): void {
  const { a, b, out, m, k, n, dtype } = checkMatmulJob(job, where);
  if (m === 0 || n === 0) return;
  const A = operand(a, dtype, where);
  const B = operand(b, dtype, where);
  const dst = elementView(out.tensor, where);
  const narrow = dtype === "float32" ? (v: number) => v : dtype === "float16" ? f32ToF16 : f32ToBf16;
  const acc = new Float64Array(Math.min(n, COLS_BLOCK));
  for (let j0 = 0; j0 < n; j0 += COLS_BLOCK) {
    const w = Math.min(COLS_BLOCK, n - j0);
    for (let i = 0; i < m; i++) {
      acc.fill(0, 0, w);
      const ai = A.offset + i * A.stride;
      for (let p = 0; p < k; p++) {
        const av = A.values[ai + p];
        const bp = B.offset + p * B.stride + j0;
        for (let j = 0; j < w; j++) acc[j] += av * B.values[bp + j];
      }
      const oi = out.offset + i * out.rowStride + j0;
      for (let j = 0; j < w; j++) dst[oi + j] = narrow(acc[j]);
    }
  }
}

/** The cpu backend's `matmul(rank)`: the host loops, with the rank in every message. */
export function cpuMatmulFor(rank: RankContext): Matmuler {
  const where = `cpu matmul on rank ${rank.rank}`;
  return { mm: async (job) => cpuMatmul(job, where) };
}
