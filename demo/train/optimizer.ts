/**
 * SGD with momentum (PyTorch's form: v ← μ·v + g, p ← p − lr·v), g the batch-mean gradient: the
 * all-reduced gradient SUM times 1/B. The WGSL twin is SGD_WGSL in kernels.ts.
 */
export interface SgdSettings {
  readonly lr: number;
  readonly momentum: number;
}

/** One step in place: `gradSum` is the sum over the global batch of `batch` rows. */
export function sgdStep(params: Float32Array, velocity: Float32Array, gradSum: ArrayLike<number>, batch: number, s: SgdSettings): void {
  // float32 at every step, as the WGSL update computes it
  const f = Math.fround;
  const inv = f(1 / batch);
  const lr = f(s.lr);
  const mu = f(s.momentum);
  for (let p = 0; p < params.length; p++) {
    const g = f(gradSum[p] * inv);
    const v = f(f(mu * velocity[p]) + g);
    velocity[p] = v;
    params[p] = params[p] - f(lr * v);
  }
}
