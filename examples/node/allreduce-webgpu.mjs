// node examples/node/allreduce-webgpu.mjs
//
// All-reduce of 1 Mi float32 GPU tensors on 4 Node worker threads, each with its own WebGPU device
// from Dawn (the optional npm package "webgpu"). On a machine without a GPU, Dawn runs on
// SwiftShader's Vulkan driver from Debian's chromium package; this script points Vulkan at it when
// VK_ICD_FILENAMES is not set and the driver is installed (apt-get install -y chromium).
import { existsSync } from "node:fs";
import { register } from "tsx/esm/api";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
register(); // the library and the rank module are TypeScript

const { describeAdapter, launch } = await import("../../src/index.ts");
const world = await launch({
  worldSize: 4, heapBytes: 32 << 20, backend: "webgpu", rankModule: new URL("./allreduce-ranks.ts", import.meta.url),
});
try {
  for (const [r, a] of world.adapters.entries()) console.log(`rank ${r}: ${describeAdapter(a)}`);
  const results = await world.run("allReduce");
  for (const [r, x] of results.entries()) {
    console.log(`rank ${r}: auto ${x.autoMs.toFixed(1)} ms, ${x.autoWrong} wrong; two_shot ${x.twoMs.toFixed(1)} ms, ` +
      `${x.twoWrong} wrong (${x.backend} tensors)`);
  }
  const ok = results.every((x) => x.autoWrong === 0 && x.twoWrong === 0 && x.backend === "webgpu");
  console.log(ok ? "verified" : "NOT verified");
  process.exitCode = ok ? 0 : 1;
} finally {
  await world.close();
}
