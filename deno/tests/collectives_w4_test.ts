// The collective matrix on 4 Deno workers with WebGPU devices (see collective-matrix.ts).
import { registerMatrixTest } from "./collective-matrix.ts";

await registerMatrixTest(4);
