// Which part of the collective matrix each webgpu runtime samples (no imports: Playwright's
// Node side reads it too).

/**
 * The webgpu runtimes' windows of the small matrix (`sampleFrom`, `smallFraction`), disjoint, so the
 * suite runs 70% of it on webgpu while each runtime runs only its share: Deno on lavapipe; Node's Dawn
 * and Chromium's both on SwiftShader, so they split their part; Chromium's production-build pages
 * (Playwright project "built") the last tenth. The cpu backend runs all of it on Node.
 */
export const SAMPLE_WINDOWS = {
  deno: { sampleFrom: 0, smallFraction: 0.25 },
  nodeDawn: { sampleFrom: 0.25, smallFraction: 0.15 },
  chromiumDev: { sampleFrom: 0.4, smallFraction: 0.2 },
  chromiumBuilt: { sampleFrom: 0.6, smallFraction: 0.1 },
} as const satisfies Record<string, { sampleFrom: number; smallFraction: number }>;
