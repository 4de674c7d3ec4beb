// The collective matrix on 3 Deno workers with WebGPU devices (see collective-matrix.ts).
import { registerMatrixTest } from "./collective-matrix.ts";

await registerMatrixTest(3);
