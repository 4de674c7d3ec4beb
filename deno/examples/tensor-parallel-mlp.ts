// npx deno run -A deno/examples/tensor-parallel-mlp.ts [--world 2] [--backend webgpu|cpu] [--tokens T --hidden H --ffn F]
//
// A two-layer MLP y = gelu(x W1) W2, tensor parallel across `--world` ranks (default 2), Megatron
// style: W1 split by columns, W2 by rows, x (and y) by rows. Each rank all-gathers x
// (symm_mem::multimem_all_gather_out), multiplies by its W1 shard (webshmem::mm), applies gelu (an
// op this example defines, examples/tp-mlp/ops.ts), multiplies by its W2 shard and
// reduce-scatters the partial sums back to its rows (symm_mem::reduce_scatter_out). Three modes:
// eager (rank.ops; the dispatcher realizes 4 arguments per step), planned (rank.plan: no
// realization on replay) and fused (symm_mem::fused_all_gather_matmul,
// symm_mem::fused_matmul_reduce_scatter). Every mode's output is compared with the MLP computed on
// one rank in float64, each element within its float32 error bound; it prints a table and
// "verified" (exit code 1 otherwise). The step is examples/tp-mlp/mlp-ranks.ts, the rank module the
// Node and Chromium tests run too.
import { describeAdapter, launch } from "../../src/index.ts";
import { DEFAULT_MLP, mlpConfig, mlpHeapBytes } from "../../examples/tp-mlp/config.ts";
import type { MlpRankResult } from "../../examples/tp-mlp/mlp-ranks.ts";
import { checkMlp, describeMlp } from "../../examples/tp-mlp/verify.ts";

function usage(problem: string): never {
  console.error("usage: deno run -A deno/examples/tensor-parallel-mlp.ts [--world 1..16] [--backend webgpu|cpu] " +
    `[--tokens T] [--hidden H] [--ffn F]: ${problem}`);
  Deno.exit(2);
}

interface Args {
  worldSize: number;
  backend: "webgpu" | "cpu";
  tokens: number;
  hidden: number;
  ffn: number;
}

function parseArgs(args: string[]): Args {
  const out: Args = { worldSize: 2, backend: "webgpu", ...DEFAULT_MLP };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    const value = inline ?? args[++i];
    const positive = (name: string) => {
      const v = Number(value);
      if (!Number.isInteger(v) || v < 1) usage(`${name} must be a positive integer, found ${value}`);
      return v;
    };
    if (flag === "--world") {
      out.worldSize = positive("--world");
      if (out.worldSize > 16) usage(`--world must be 1..16, found ${value}`);
    } else if (flag === "--backend") {
      if (value !== "webgpu" && value !== "cpu") usage(`--backend must be webgpu or cpu, found ${value}`);
      out.backend = value;
    } else if (flag === "--tokens") out.tokens = positive("--tokens");
    else if (flag === "--hidden") out.hidden = positive("--hidden");
    else if (flag === "--ffn") out.ffn = positive("--ffn");
    else usage(`unknown argument ${flag}`);
  }
  return out;
}

if (import.meta.main) {
  const { worldSize, backend, tokens, hidden, ffn } = parseArgs(Deno.args);
  let cfg;
  try {
    cfg = mlpConfig(worldSize, { tokens, hidden, ffn });
  } catch (e) {
    usage((e as Error).message);
  }
  const world = await launch({
    worldSize, heapBytes: mlpHeapBytes(cfg), backend, timeoutMs: 60_000,
    rankModule: new URL("../../examples/tp-mlp/mlp-ranks.ts", import.meta.url),
  });
  try {
    console.log(`${worldSize} ranks on ${backend === "webgpu" ? describeAdapter(world.adapters[0]) : "the cpu backend"}: ` +
      `${cfg.tokens} tokens × ${cfg.hidden}, ffn ${cfg.ffn} (${cfg.ffn / worldSize} per rank)`);
    const results = await world.run<MlpRankResult>("tpMlp", cfg, { steps: 3 });
    const check = checkMlp(cfg, results);
    for (const line of describeMlp(check)) console.log(line);
    if (!check.verified) Deno.exitCode = 1;
  } finally {
    await world.close();
  }
}
