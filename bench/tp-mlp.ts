// npm run bench:tp-mlp -- [--backend cpu|webgpu] [--world 2] [--rounds 5] [--steps 3] [--sizes T:H:F,...] [--json FILE]
//
// T7 of issue 12: the tensor-parallel MLP (examples/tp-mlp/, the step of
// deno/examples/tensor-parallel-mlp.ts) eager, planned (rank.plan) and fused, size by size, in
// one run: each size on a fresh world, every mode's output checked against the single-rank
// float64 MLP, the three modes timed in the same rounds (interleaved, the order rotating), the
// median over rounds of the slowest rank's ms per step. Prints the table (examples/tp-mlp/
// bench-report.ts) and T7's verdict; --json writes rows / baselines / meta.
import { describeAdapter, launch } from "../src/index.ts";
import { mlpConfig, mlpHeapBytes } from "../examples/tp-mlp/config.ts";
import type { MlpRankResult } from "../examples/tp-mlp/mlp-ranks.ts";
import { checkMlp } from "../examples/tp-mlp/verify.ts";
import { benchJson, benchRow, benchTable, type MlpBenchRow, t7Verdict } from "../examples/tp-mlp/bench-report.ts";

/** Tokens : hidden : ffn. From copy-bound (ffn / world small: a few MACs per copied byte) to matmul-bound. */
const DEFAULT_SIZES = ["64:32:128", "512:256:64", "1024:512:16", "1024:512:8", "2048:1024:8", "4096:1024:4"];

function usage(problem: string): never {
  console.error("usage: deno run -A bench/tp-mlp.ts [--backend cpu|webgpu] [--world 1..16] [--rounds N] [--steps N] " +
    `[--sizes T:H:F,...] [--json FILE]: ${problem}`);
  Deno.exit(2);
}

const o = { backend: "cpu" as "cpu" | "webgpu", world: 2, rounds: 5, steps: 3, sizes: DEFAULT_SIZES, json: undefined as string | undefined };
for (let i = 0; i < Deno.args.length; i++) {
  const [flag, inline] = Deno.args[i].split("=", 2);
  const value = inline ?? Deno.args[++i];
  if (value === undefined) usage(`${flag} needs a value`);
  const positive = () => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < 1) usage(`${flag} must be a positive integer, found ${value}`);
    return v;
  };
  if (flag === "--backend") {
    if (value !== "cpu" && value !== "webgpu") usage(`--backend must be cpu or webgpu, found ${value}`);
    o.backend = value;
  } else if (flag === "--world") o.world = positive();
  else if (flag === "--rounds") o.rounds = positive();
  else if (flag === "--steps") o.steps = positive();
  else if (flag === "--sizes") o.sizes = value.split(",");
  else if (flag === "--json") o.json = value;
  else usage(`unknown argument ${Deno.args[i]}`);
}
if (o.world > 16) usage(`--world must be 1..16, found ${o.world}`);

const configs = o.sizes.map((s) => {
  const [tokens, hidden, ffn] = s.split(":").map(Number);
  try {
    return mlpConfig(o.world, { tokens, hidden, ffn });
  } catch (e) {
    usage(`--sizes ${s}: ${(e as Error).message}`);
  }
});

const rows: MlpBenchRow[] = [];
let adapter = "cpu";
for (const cfg of configs) {
  console.error(`[tp-mlp] ${cfg.tokens} x ${cfg.hidden}, ffn ${cfg.ffn} on ${o.world} ranks (${o.backend})`);
  const world = await launch({
    worldSize: o.world, heapBytes: mlpHeapBytes(cfg), backend: o.backend, timeoutMs: 120_000,
    rankModule: new URL("../examples/tp-mlp/mlp-ranks.ts", import.meta.url),
  });
  try {
    if (o.backend === "webgpu") adapter = describeAdapter(world.adapters[0]);
    const results = await world.run<MlpRankResult>("tpMlp", cfg, { steps: o.steps, rounds: o.rounds });
    rows.push(benchRow({ cfg, check: checkMlp(cfg, results) }));
  } finally {
    await world.close();
  }
}

console.log(`# tensor-parallel MLP, ${o.world} ranks, ${o.backend} (${adapter}); ${o.rounds} rounds x ${o.steps} steps per mode, ` +
  "modes interleaved; ms = median over rounds of the slowest rank's ms per step");
console.log("# MAC/B = multiply-adds per byte the eager step copies (realizations in, copy-backs out): low = the copies matter");
for (const line of benchTable(rows)) console.log(line);
const verdict = t7Verdict(o.backend, rows);
for (const line of verdict.lines) console.log(`# ${line}`);
if (o.json !== undefined) {
  const meta = {
    runtime: "deno", backend: o.backend, ranks: o.world, adapter, date: new Date().toISOString(),
    version: JSON.parse(await Deno.readTextFile(new URL("../package.json", import.meta.url))).version,
    rounds: o.rounds, steps: o.steps,
  };
  await Deno.writeTextFile(o.json, JSON.stringify(benchJson(rows, meta), null, 1) + "\n");
  console.error(`# wrote ${o.json}`);
}
if (rows.some((r) => !r.verified)) Deno.exitCode = 1;
