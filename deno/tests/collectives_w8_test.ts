// The collective matrix on 8 Deno workers with WebGPU devices (see collective-matrix.ts).
import { registerMatrixTest } from "./collective-matrix.ts";

await registerMatrixTest(8);
