/**
 * The experts' FFN on the host (the cpu backend): for every local expert's block of the
 * dispatch output, padding rows included as a grouped GEMM does, y = relu(x · w1) · w2.
 */
import type { MoeConfig } from "./config.ts";
import type { ExpertBlock } from "./expert-layout.ts";

/** Weights of the local experts, in local order. */
export type LocalExperts = readonly { readonly w1: Float32Array; readonly w2: Float32Array }[];

/** Writes rows start .. start + span of `y` for every block, from the same rows of `x` (both [rows, hidden]). */
export function hostFfn(cfg: MoeConfig, experts: LocalExperts, blocks: readonly ExpertBlock[], x: Float32Array, y: Float32Array): void {
  const { hidden: h, ffn: f } = cfg;
  const inner = new Float32Array(f);
  for (const b of blocks) {
    const { w1, w2 } = experts[b.local];
    for (let r = b.start; r < b.start + b.span; r++) {
      for (let c = 0; c < f; c++) {
        let s = 0;
        for (let j = 0; j < h; j++) s += x[r * h + j] * w1[j * f + c];
        inner[c] = s > 0 ? s : 0;
      }
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let c = 0; c < f; c++) s += inner[c] * w2[c * h + j];
        y[r * h + j] = s;
      }
    }
  }
}
