// The collective matrix on Deno workers with the cpu backend, bit-exact: on Deno the heap slabs
// are WebAssembly memories and the host reductions read them in place (src/core/wasm/direct-wasm.ts),
// which Node 20 (no multi-memory) never runs. The whole small matrix (every world size) and four
// large cases, as on Node, where the same cases go through the copy path.
import { runCollectiveMatrix } from "../../test/shared/collective-matrix.ts";


Deno.test({
  name: "collective matrix, cpu on WebAssembly memories, bit-exact",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const report = await runCollectiveMatrix({
      backend: "cpu",
      largeCases: 4,
      log: (line) => console.log(`  ${line}`),
    });
    console.log(`  ${report.summary}`);
  },
});
