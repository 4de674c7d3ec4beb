// The collective correctness matrix in Chromium: Web Workers with WebGPU devices (SwiftShader),
// every result compared with the cpu reference. SwiftShader has no shader-f16, so float16 is left
// out of the matrix and its clear error is checked instead.
import { expect, test } from "@playwright/test";
import { webgpuSkipReason } from "./gpu.ts";
import { type HarnessGlobal, openHarness } from "./harness-page.ts";

const fraction = Number(process.env.WEBSHMEM_MATRIX_FRACTION ?? "0.3");

test.describe("collective matrix in Chromium, webgpu", () => {
  test.beforeEach(async ({ page }) => {
    await openHarness(page);
    const skip = await webgpuSkipReason(page);
    if (skip) console.warn(`SKIP: ${skip}`);
    test.skip(skip !== undefined, skip);
  });

  for (const worldSize of [2, 3, 4, 8]) {
    test(`${worldSize} ranks (sample ${fraction})`, async ({ page }) => {
      page.on("console", (m) => { if (!m.text().startsWith("[vite]")) console.log(`  ${m.text()}`); });
      const summary = await page.evaluate(async ({ worldSize, fraction }) => {
        const m = await (globalThis as unknown as HarnessGlobal).__harness.load("collective-matrix");
        const report = await m.runCollectiveMatrix({
          backend: "webgpu", worldSizes: [worldSize], smallFraction: fraction,
          largeCases: worldSize === 4 ? 2 : 1, dtypes: ["float32", "bfloat16", "int32"],
        });
        return report.summary;
      }, { worldSize, fraction });
      console.log(`  ${summary}`);
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
