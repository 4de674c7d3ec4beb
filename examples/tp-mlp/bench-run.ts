/**
 * T7's benchmark on any runtime (bench/tp-mlp.ts on Deno, bench/tp-mlp-page.ts in Chromium, both
 * driven by `npm run bench:tp-mlp`, scripts/bench-tp-mlp.mjs): the tensor-parallel MLP eager,
 * planned and fused, size by size, each size on a fresh world, every mode checked against the
 * single-rank float64 MLP, the modes timed in the same rounds (interleaved, the order rotating);
 * prints the table and T7's verdict (bench-report.ts) and returns the JSON.
 */
import { type BackendName, describeAdapter, launch, type LaunchOptions } from "../../src/index.ts";
import { type MlpConfig, mlpConfig, mlpHeapBytes } from "./config.ts";
import type { MlpRankResult } from "./mlp-ranks.ts";
import { checkMlp } from "./verify.ts";
import { benchJson, benchRow, benchTable, type MlpBenchRow, t7Verdict } from "./bench-report.ts";

/** Tokens : hidden : ffn. From copy-bound (ffn / world small: a few MACs per copied byte) to matmul-bound. */
export const DEFAULT_SIZES = ["64:32:128", "512:256:64", "1024:512:16", "1024:512:8", "2048:1024:8", "4096:1024:4"];

export interface TpMlpBenchOptions {
  readonly backend: "cpu" | "webgpu";
  readonly world: number;
  readonly rounds: number;
  readonly steps: number;
  readonly configs: readonly MlpConfig[];
  /** Where to write the JSON (the caller writes it), if anywhere. */
  readonly json?: string;
}

/** A bad command line: the message to print with the usage, exit code 2. */
export class TpMlpUsageError extends Error {}

export const TP_MLP_USAGE = "usage: npm run bench:tp-mlp -- [--runtime deno|chromium] [--backend cpu|webgpu] [--world 1..16] " +
  "[--rounds N] [--steps N] [--sizes T:H:F,...] [--json FILE]";

/** The options of a command line (--runtime is the driver's, skipped here); a TpMlpUsageError for a bad one. */
export function parseTpMlpArgs(argv: readonly string[]): TpMlpBenchOptions {
  const o = { backend: "cpu" as "cpu" | "webgpu", world: 2, rounds: 5, steps: 3, sizes: DEFAULT_SIZES, json: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new TpMlpUsageError(`${flag} needs a value`);
    const positive = () => {
      const v = Number(value);
      if (!Number.isInteger(v) || v < 1) throw new TpMlpUsageError(`${flag} must be a positive integer, found ${value}`);
      return v;
    };
    if (flag === "--backend") {
      if (value !== "cpu" && value !== "webgpu") throw new TpMlpUsageError(`--backend must be cpu or webgpu, found ${value}`);
      o.backend = value;
    } else if (flag === "--world") o.world = positive();
    else if (flag === "--rounds") o.rounds = positive();
    else if (flag === "--steps") o.steps = positive();
    else if (flag === "--sizes") o.sizes = value.split(",");
    else if (flag === "--json") o.json = value;
    else if (flag === "--runtime") continue;
    else throw new TpMlpUsageError(`unknown argument ${flag}`);
  }
  if (o.world > 16) throw new TpMlpUsageError(`--world must be 1..16, found ${o.world}`);
  const configs = o.sizes.map((s) => {
    const [tokens, hidden, ffn] = s.split(":").map(Number);
    try {
      return mlpConfig(o.world, { tokens, hidden, ffn });
    } catch (e) {
      throw new TpMlpUsageError(`--sizes ${s}: ${(e as Error).message}`);
    }
  });
  return { backend: o.backend, world: o.world, rounds: o.rounds, steps: o.steps, configs, ...(o.json !== undefined ? { json: o.json } : {}) };
}

export interface TpMlpBenchIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs the sweep; `source` names the rank functions (examples/tp-mlp/mlp-ranks.ts, or its bundled worker). */
export async function runTpMlpBench(
  o: TpMlpBenchOptions, io: TpMlpBenchIO, source: Pick<LaunchOptions, "rankModule" | "rankWorker">,
  meta: { runtime: string; version: string },
): Promise<{ code: number; json: string; rows: MlpBenchRow[] }> {
  const rows: MlpBenchRow[] = [];
  let adapter = "cpu";
  for (const cfg of o.configs) {
    io.err(`[tp-mlp] ${cfg.tokens} x ${cfg.hidden}, ffn ${cfg.ffn} on ${o.world} ranks (${o.backend})`);
    const world = await launch({ worldSize: o.world, heapBytes: mlpHeapBytes(cfg), backend: o.backend as BackendName, timeoutMs: 120_000, ...source });
    try {
      if (o.backend === "webgpu") adapter = describeAdapter(world.adapters[0]);
      const results = await world.run<MlpRankResult>("tpMlp", cfg, { steps: o.steps, rounds: o.rounds });
      rows.push(benchRow({ cfg, check: checkMlp(cfg, results) }));
    } finally {
      await world.close();
    }
  }
  io.out(`# tensor-parallel MLP, ${o.world} ranks, ${meta.runtime}, ${o.backend} (${adapter}); ${o.rounds} rounds x ${o.steps} steps ` +
    "per mode, modes interleaved; ms = median over rounds of the slowest rank's ms per step");
  io.out("# MAC/B = multiply-adds per byte the eager step copies (realizations in, copy-backs out): low = the copies matter");
  for (const line of benchTable(rows)) io.out(line);
  for (const line of t7Verdict(o.backend, rows).lines) io.out(`# ${line}`);
  const json = JSON.stringify(benchJson(rows, {
    runtime: meta.runtime, backend: o.backend, ranks: o.world, adapter, date: new Date().toISOString(), version: meta.version,
    rounds: o.rounds, steps: o.steps,
  }), null, 1) + "\n";
  return { code: rows.every((r) => r.verified) ? 0 : 1, json, rows };
}
