// node examples/node/allreduce.mjs [cpu|webgpu]      (after `npm run build:lib`)
//
// All-reduce of 1 Mi float32 tensors on 4 Node worker threads, with the built package imported by
// name ("webshmem" is this repository's own package) — plain Node, no TypeScript loader. The
// rank module is plain JavaScript (allreduce-ranks.mjs).
//
// cpu (the default) needs nothing else. webgpu gives each rank its own WebGPU device from Dawn
// (the npm package "webgpu", which you install next to webshmem: npm install webgpu@0.6.2); on a
// machine without a GPU, Dawn runs on SwiftShader's Vulkan driver from Debian's chromium package,
// and this script points Vulkan at it when VK_ICD_FILENAMES is not set and the driver is there.
import { existsSync } from "node:fs";
import { describeAdapter, launch } from "webshmem";

const backend = process.argv[2] ?? "cpu";
if (backend !== "cpu" && backend !== "webgpu") {
  console.error(`usage: node examples/node/allreduce.mjs [cpu|webgpu], found ${backend}`);
  process.exit(2);
}
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
if (backend === "webgpu" && process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

const world = await launch({
  worldSize: 4, heapBytes: 32 << 20, backend, rankModule: new URL("./allreduce-ranks.mjs", import.meta.url),
});
try {
  for (const [r, a] of world.adapters.entries()) console.log(`rank ${r}: ${describeAdapter(a)}`);
  const results = await world.run("allReduce");
  for (const [r, x] of results.entries()) {
    console.log(`rank ${r}: auto ${x.autoMs.toFixed(1)} ms, ${x.autoWrong} wrong; two_shot ${x.twoMs.toFixed(1)} ms, ` +
      `${x.twoWrong} wrong (${x.backend} tensors)`);
  }
  const ok = results.every((x) => x.autoWrong === 0 && x.twoWrong === 0 && x.backend === backend);
  console.log(ok ? "verified" : "NOT verified");
  process.exitCode = ok ? 0 : 1;
} finally {
  await world.close();
}
