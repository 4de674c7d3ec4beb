import { OpError } from "../../../core/errors.ts";

/** A 1-D dispatch folded into 2-D; the kernel's flat index is gid.x + gid.y * rowPitch. */
export interface FoldedDispatch {
  readonly x: number;
  readonly y: number;
  /** Invocations per row: x * workgroupSize. */
  readonly rowPitch: number;
}

/**
 * Covers `invocations` with workgroups of `workgroupSize`, rows of at most `maxPerDim` groups
 * (WebGPU's maxComputeWorkgroupsPerDimension, 65535 by default). The last row may overshoot:
 * kernels return early past their count.
 */
export function foldDispatch(invocations: number, workgroupSize: number, maxPerDim: number): FoldedDispatch {
  const groups = Math.ceil(invocations / workgroupSize);
  const x = Math.min(groups, maxPerDim);
  const y = x === 0 ? 0 : Math.ceil(groups / x);
  if (y > maxPerDim) {
    throw new OpError(`dispatch of ${invocations} invocations needs ${groups} workgroups of ${workgroupSize}: ` +
      `more than ${maxPerDim} × ${maxPerDim} (maxComputeWorkgroupsPerDimension squared); split the work`);
  }
  return { x, y, rowPitch: x * workgroupSize };
}
