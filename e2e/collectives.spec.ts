// The collective correctness matrix in Chromium: Web Workers with WebGPU devices (SwiftShader),
// every result compared with the cpu reference. SwiftShader has no shader-f16, so float16 is left
// out of the matrix and its clear error is checked instead.
import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";
import { SAMPLE_WINDOWS } from "../test/shared/sample-windows.ts";

// Each Playwright project samples its own window of the small matrix (Node's Dawn and Deno take
// others): the dev server's pages one fifth, the production build's one tenth.
function windowOf(project: string): { sampleFrom: number; smallFraction: number } {
  const w = project === "built" ? SAMPLE_WINDOWS.chromiumBuilt : SAMPLE_WINDOWS.chromiumDev;
  const env = process.env.WEBSHMEM_MATRIX_FRACTION;
  return env === undefined ? w : { sampleFrom: w.sampleFrom, smallFraction: Number(env) };
}

test.describe("collective matrix in Chromium, webgpu", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const worldSize of [2, 3, 4, 8]) {
    test(`${worldSize} ranks (this project's sample window)`, async ({ page }, info) => {
      const { sampleFrom, smallFraction } = windowOf(info.project.name);
      page.on("console", (m) => { if (!m.text().startsWith("[vite]")) console.log(`  ${m.text()}`); });
      const summary = await page.evaluate(async ({ worldSize, sampleFrom, smallFraction }) => {
        const m = await (globalThis as unknown as HarnessGlobal).__harness.load("collective-matrix");
        const report = await m.runCollectiveMatrix({
          backend: "webgpu", worldSizes: [worldSize], smallFraction, sampleFrom,
          largeCases: worldSize === 4 ? 2 : 1, dtypes: ["float32", "bfloat16", "int32"],
        });
        return report.summary;
      }, { worldSize, sampleFrom, smallFraction });
      console.log(`  sample ${smallFraction} from ${sampleFrom}: ${summary}`);
    });
  }

  test("float16 without shader-f16 fails with a clear error", async ({ page }) => {
    const message = await page.evaluate(async () => {
      const m = await (globalThis as unknown as HarnessGlobal).__harness.load("collective-matrix");
      try {
        await m.runCollectiveMatrix({
          backend: "webgpu", worldSizes: [2], smallFraction: 1, largeCases: 0, dtypes: ["float16"],
          ops: ["one_shot_all_reduce"],
        });
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(message).toMatch(/float16 needs the WebGPU feature "shader-f16", which this device .* does not have/);
  });
});
