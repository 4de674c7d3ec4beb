// npx deno run -A deno/hello.ts — launches 4 ranks on WebGPU in Deno, one line per rank, then a barrier.
import { describeAdapter, launch } from "../src/index.ts";

const world = await launch({
  worldSize: 4,
  heapBytes: 1 << 20,
  backend: "webgpu",
  rankModule: new URL("./hello-ranks.ts", import.meta.url),
});
try {
  world.adapters.forEach((a, r) => console.log(`rank ${r}: ${describeAdapter(a)}`));
  await world.run("barrierAll");
  console.log("barrier ok");
} finally {
  await world.close();
}
