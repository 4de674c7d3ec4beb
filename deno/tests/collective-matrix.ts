// The collective correctness matrix on Deno workers with WebGPU devices (lavapipe), every result
// compared with the cpu reference. The full small matrix runs on Node (cpu); here a deterministic
// sample of it and a few large cases, to keep the suite within its time budget. One test file per
// world size (collectives_w*_test.ts), so each Deno process creates only one world's devices.
import { runCollectiveMatrix, SAMPLE_WINDOWS } from "../../test/shared/collective-matrix.ts";
import { webgpuSkipReason } from "./gpu.ts";

export async function registerMatrixTest(worldSize: number): Promise<void> {
  const skip = await webgpuSkipReason();
  if (skip) console.warn(`SKIP deno collective matrix on webgpu: ${skip}`);
  // Deno's window of the small matrix (lavapipe); Node's Dawn and Chromium sample other windows.
  const { sampleFrom } = SAMPLE_WINDOWS.deno;
  const fraction = Number(Deno.env.get("WEBSHMEM_MATRIX_FRACTION") ?? SAMPLE_WINDOWS.deno.smallFraction);
  Deno.test({
    name: `collective matrix, ${worldSize} ranks, webgpu (sample ${fraction} from ${sampleFrom})`,
    ignore: skip !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const report = await runCollectiveMatrix({
        backend: "webgpu",
        worldSizes: [worldSize],
        smallFraction: fraction,
        sampleFrom,
        largeCases: worldSize === 4 ? 2 : 1,
        log: (line) => console.log(`  ${line}`),
      });
      console.log(`  ${report.summary}`);
    },
  });
}
