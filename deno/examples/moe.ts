// npx deno run -A deno/examples/moe.ts [--world 4] [--backend webgpu|cpu]
//
// A mixture-of-experts layer on `--world` ranks (default 4), 3 experts per rank: every rank routes
// its 100 tokens top-2 with a seeded, uneven router (some experts get none), dispatches them with
// symm_mem::all_to_all_vdev_2d (major_align 8: every expert's block aligned, empty ones too), runs
// each expert's FFN (a WGSL matmul program on its own GPUDevice; on the host with --backend cpu),
// combines with symm_mem::all_to_all_vdev_2d_offset and adds each token's two expert outputs by
// the router's weights. The result is compared with the same layer computed on one rank; it prints
// the max error and "verified" (exit code 1 otherwise). The layer is examples/moe/moe-ranks.ts,
// the rank module the Node and Chromium tests run too.
import { describeAdapter, launch } from "../../src/index.ts";
import { moeConfig, moeHeapBytes } from "../../examples/moe/config.ts";
import type { MoeRankResult } from "../../examples/moe/moe-ranks.ts";
import { checkMoe, describeMoe } from "../../examples/moe/verify.ts";

function usage(problem: string): never {
  console.error(`usage: deno run -A deno/examples/moe.ts [--world 1..16] [--backend webgpu|cpu]: ${problem}`);
  Deno.exit(2);
}

function parseArgs(args: string[]): { worldSize: number; backend: "webgpu" | "cpu" } {
  let worldSize = 4, backend: "webgpu" | "cpu" = "webgpu";
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    const value = inline ?? args[++i];
    if (flag === "--world") {
      worldSize = Number(value);
      if (!Number.isInteger(worldSize) || worldSize < 1 || worldSize > 16) usage(`--world must be 1..16, found ${value}`);
    } else if (flag === "--backend") {
      if (value !== "webgpu" && value !== "cpu") usage(`--backend must be webgpu or cpu, found ${value}`);
      backend = value;
    } else usage(`unknown argument ${flag}`);
  }
  return { worldSize, backend };
}

if (import.meta.main) {
  const { worldSize, backend } = parseArgs(Deno.args);
  const cfg = moeConfig(worldSize);
  const world = await launch({
    worldSize, heapBytes: moeHeapBytes(cfg), backend, timeoutMs: 60_000,
    rankModule: new URL("../../examples/moe/moe-ranks.ts", import.meta.url),
  });
  try {
    console.log(`${worldSize} ranks on ${backend === "webgpu" ? describeAdapter(world.adapters[0]) : "the cpu backend"}: ` +
      `${cfg.tokensPerRank} tokens × ${cfg.hidden} per rank, ${cfg.expertsPerRank} experts per rank (ffn ${cfg.ffn}), top-2`);
    const results = await world.run<MoeRankResult>("moeLayer", cfg);
    const check = checkMoe(cfg, results);
    for (const line of describeMoe(cfg, results, check)) console.log(line);
    if (!check.verified) Deno.exitCode = 1;
  } finally {
    await world.close();
  }
}
