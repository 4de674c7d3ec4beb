/**
 * The benchmark's command line, as nccl-tests spells it (`-b -e -f -n -w -c -o -d -g`, plus `-i`
 * and `-r`), and webshmem's own long flags. Parsing is pure: every runtime's entry point and the
 * demo page share it, and every mistake is a BenchFlagError that says what was expected.
 */
import { type CollectiveDType, type ReduceOp } from "../internal.ts";

/** The backends the benchmark measures. */
export type BenchBackend = "webgpu" | "cpu";

export type BenchOp = "all_reduce" | "reduce_scatter" | "all_gather" | "broadcast";
export type BenchAlgo = "auto" | "one_shot" | "two_shot" | "multimem" | "host";
export type BenchRuntime = "chromium" | "deno" | "node";

export const BENCH_OPS: readonly BenchOp[] = ["all_reduce", "reduce_scatter", "all_gather", "broadcast"];
export const BENCH_ALGOS: readonly BenchAlgo[] = ["auto", "one_shot", "two_shot", "multimem", "host"];
export const BENCH_RUNTIMES: readonly BenchRuntime[] = ["chromium", "deno", "node"];
const BACKENDS: readonly BenchBackend[] = ["webgpu", "cpu"];
const REDOPS: readonly ReduceOp[] = ["sum", "prod", "max", "min", "avg"];

export interface BenchOptions {
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Multiply the size by this between rows (used when stepBytes is 0). */
  readonly stepFactor: number;
  /** Add this many bytes between rows instead (nccl-tests' -i); 0: use stepFactor. */
  readonly stepBytes: number;
  readonly iters: number;
  readonly warmup: number;
  readonly check: boolean;
  readonly redop: ReduceOp;
  readonly dtype: CollectiveDType;
  readonly ranks: number;
  readonly root: number;
  readonly op: BenchOp;
  readonly algo: BenchAlgo;
  readonly backend: BenchBackend;
  readonly runtime: BenchRuntime;
  readonly json: string | undefined;
  readonly breakdown: boolean;
  readonly baselines: boolean;
  readonly help: boolean;
  /** Adjustments the parser made (e.g. node forces the cpu backend), for stderr. */
  readonly notes: readonly string[];
}

export class BenchFlagError extends Error {
  override name = "BenchFlagError";
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `8`, `1K`, `64M`, `1G` (also `KB`, `KiB`, lower case, decimals): bytes, as nccl-tests' parsesize (1024-based). */
export function parseBytes(text: string, flag = "size"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (m === null) {
    throw new BenchFlagError(`${flag} expects a byte count like 8, 1K, 64M or 1G; found "${text}"`);
  }
  return Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
}

const DTYPE_NAMES: Record<string, CollectiveDType> = {
  float: "float32", float32: "float32", f32: "float32",
  half: "float16", float16: "float16", f16: "float16",
  bfloat16: "bfloat16", bf16: "bfloat16",
  int32: "int32", int: "int32", i32: "int32",
};

export function parseDType(text: string, flag = "-d"): CollectiveDType {
  const d = DTYPE_NAMES[text.toLowerCase()];
  if (d === undefined) {
    throw new BenchFlagError(
      `${flag} expects one of float, half, bfloat16, int32 (or float32, float16, bf16, f32, f16, i32, int); found "${text}"` +
        (/^(u?int(8|64)|uint32|double|float64|fp8.*)$/i.test(text) ? " (webshmem's collectives compute on those four only)" : ""),
    );
  }
  return d;
}

type Kind = "bytes" | "factor" | "count" | "count0" | "bit" | "redop" | "dtype" | "ranks" | "root" | "op" | "algo"
  | "backend" | "runtime" | "path" | "switch";

interface FlagSpec {
  readonly short?: string;
  readonly long: string;
  readonly aliases?: readonly string[];
  readonly key: keyof Mutable;
  readonly kind: Kind;
  readonly help: string;
}

type Mutable = { -readonly [K in keyof BenchOptions]: BenchOptions[K] };

export const FLAGS: readonly FlagSpec[] = [
  { short: "b", long: "minbytes", key: "minBytes", kind: "bytes", help: "smallest size in bytes (K/M/G suffixes), default 8" },
  { short: "e", long: "maxbytes", key: "maxBytes", kind: "bytes", help: "largest size in bytes, default 32M" },
  { short: "f", long: "stepfactor", key: "stepFactor", kind: "factor", help: "multiply the size by this between rows, default 4" },
  { short: "i", long: "stepbytes", key: "stepBytes", kind: "bytes", help: "add this many bytes between rows instead of -f" },
  { short: "n", long: "iters", key: "iters", kind: "count", help: "timed iterations per size, default 20" },
  { short: "w", long: "warmup_iters", key: "warmup", kind: "count0", help: "warm-up iterations per size, default 5" },
  { short: "c", long: "check", key: "check", kind: "bit", help: "0/1: verify every result against the reference, default 1" },
  { short: "o", long: "redop", key: "redop", kind: "redop", help: "reduce op: sum, prod, max, min, avg; default sum" },
  { short: "d", long: "datatype", key: "dtype", kind: "dtype", help: "float, half, bfloat16, int32 (or float32, bf16, ...); default float" },
  { short: "g", long: "ngpus", aliases: ["ranks"], key: "ranks", kind: "ranks", help: "ranks (workers), 1..16; default 4" },
  { short: "r", long: "root", key: "root", kind: "root", help: "root rank of broadcast, default 0" },
  { long: "op", key: "op", kind: "op", help: "all_reduce | reduce_scatter | all_gather | broadcast; default all_reduce" },
  { long: "algo", key: "algo", kind: "algo", help: "auto | one_shot | two_shot | multimem | host (all_reduce); default auto (the tuning table)" },
  { long: "backend", key: "backend", kind: "backend", help: "webgpu | cpu; default webgpu (cpu on node, where webgpu is Dawn: see README)" },
  { long: "runtime", key: "runtime", kind: "runtime", help: "chromium | deno | node; default deno" },
  { long: "json", key: "json", kind: "path", help: "also write the results as JSON to this file" },
  { long: "breakdown", key: "breakdown", kind: "switch", help: "print where the time goes, step by step" },
  { long: "baselines", key: "baselines", kind: "bit", help: "0/1: measure the baselines in the same run, default 1" },
  { short: "h", long: "help", key: "help", kind: "switch", help: "print this help" },
];

export function defaultOptions(runtime: BenchRuntime = "deno"): BenchOptions {
  return {
    minBytes: 8, maxBytes: 32 * 1024 ** 2, stepFactor: 4, stepBytes: 0, iters: 20, warmup: 5, check: true,
    redop: "sum", dtype: "float32", ranks: 4, root: 0, op: "all_reduce", algo: "auto",
    backend: runtime === "node" ? "cpu" : "webgpu", runtime, json: undefined, breakdown: false, baselines: true,
    help: false, notes: [],
  };
}

function name(spec: FlagSpec): string {
  return spec.short !== undefined ? `-${spec.short}/--${spec.long}` : `--${spec.long}`;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new BenchFlagError(`${flag} expects one of ${allowed.join(", ")}; found "${text}"`);
  }
  return text as T;
}

function integer(flag: string, text: string, lo: number, hi: number, what: string): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || v < lo || v > hi) {
    throw new BenchFlagError(`${flag} expects ${what} (an integer in [${lo}, ${hi}]); found "${text}"`);
  }
  return v;
}

function convert(spec: FlagSpec, text: string): unknown {
  const flag = name(spec);
  switch (spec.kind) {
    case "bytes": {
      const v = parseBytes(text, flag);
      if (spec.key !== "stepBytes" && v < 1) throw new BenchFlagError(`${flag} expects at least 1 byte; found "${text}"`);
      return v;
    }
    case "factor": {
      const v = Number(text);
      if (!Number.isFinite(v) || v <= 1 || text.trim() === "") {
        throw new BenchFlagError(`${flag} expects a step factor greater than 1 (e.g. 2 or 4); found "${text}"`);
      }
      return v;
    }
    case "count": return integer(flag, text, 1, 1_000_000, "an iteration count");
    case "count0": return integer(flag, text, 0, 1_000_000, "an iteration count");
    case "bit": return integer(flag, text, 0, 1, "0 or 1") === 1;
    case "redop": return oneOf(flag, text, REDOPS);
    case "dtype": return parseDType(text, flag);
    case "ranks": return integer(flag, text, 1, 16, "a number of ranks");
    case "root": return integer(flag, text, 0, 15, "a root rank");
    case "op": return oneOf(flag, text, BENCH_OPS);
    case "algo": return oneOf(flag, text, BENCH_ALGOS);
    case "backend": return oneOf(flag, text, BACKENDS);
    case "runtime": return oneOf(flag, text, BENCH_RUNTIMES);
    case "path":
      if (text === "") throw new BenchFlagError(`${flag} expects a file name`);
      return text;
    case "switch": return integer(flag, text, 0, 1, "0 or 1 (or no value)") === 1;
  }
}

function find(token: string): { spec: FlagSpec; inline: string | undefined } {
  if (token.startsWith("--")) {
    const eq = token.indexOf("=");
    const long = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const spec = FLAGS.find((f) => f.long === long || f.aliases?.includes(long));
    if (spec === undefined) throw unknown(token);
    return { spec, inline: eq < 0 ? undefined : token.slice(eq + 1) };
  }
  const short = token.slice(1, 2);
  const spec = FLAGS.find((f) => f.short === short);
  if (spec === undefined || token.length < 2) throw unknown(token);
  const rest = token.slice(2);
  return { spec, inline: rest === "" ? undefined : rest.startsWith("=") ? rest.slice(1) : rest };
}

function unknown(token: string): BenchFlagError {
  const all = FLAGS.map((f) => (f.short !== undefined ? `-${f.short}` : `--${f.long}`)).join(" ");
  return new BenchFlagError(`unknown flag "${token}"; the flags are ${all} (-h explains them)`);
}

/**
 * Parses `argv` (no program name). `runtime` is the default of --runtime: the runtime of the
 * entry point (scripts/bench.mjs: deno). Throws BenchFlagError on any mistake.
 */
export function parseFlags(argv: readonly string[], runtime: BenchRuntime = "deno"): BenchOptions {
  const o: Mutable = { ...defaultOptions(runtime), notes: [] };
  const given = new Set<keyof Mutable>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) {
      throw new BenchFlagError(`unexpected argument "${token}": every value follows its flag (e.g. -b 8 -e 64M)`);
    }
    const { spec, inline } = find(token);
    let text = inline;
    if (text === undefined) {
      if (spec.kind === "switch") {
        if (argv[i + 1] === "0" || argv[i + 1] === "1") text = argv[++i];
        else text = "1";
      } else {
        if (i + 1 >= argv.length) throw new BenchFlagError(`${name(spec)} needs a value: ${spec.help}`);
        text = argv[++i];
      }
    }
    (o as Record<string, unknown>)[spec.key] = convert(spec, text);
    given.add(spec.key);
  }
  return finish(o, given);
}

function finish(o: Mutable, given: Set<keyof Mutable>): BenchOptions {
  const notes: string[] = [];
  // Node's WebGPU (Dawn, the optional npm package "webgpu") needs a Vulkan driver: asked for only.
  if (!given.has("backend")) o.backend = o.runtime === "node" ? "cpu" : "webgpu";
  if (o.minBytes > o.maxBytes) {
    throw new BenchFlagError(`-b (minbytes ${o.minBytes}) is larger than -e (maxbytes ${o.maxBytes})`);
  }
  if (given.has("stepBytes") && given.has("stepFactor")) {
    throw new BenchFlagError("give either -f (step factor) or -i (step bytes), not both");
  }
  if (given.has("stepBytes") && o.stepBytes < 1) throw new BenchFlagError(`-i expects at least 1 byte; found ${o.stepBytes}`);
  if (o.op !== "all_reduce" && o.algo !== "auto") {
    throw new BenchFlagError(`--algo ${o.algo} applies to --op all_reduce only; ${o.op} has one algorithm (leave --algo out)`);
  }
  if ((o.op === "reduce_scatter") && o.redop !== "sum") {
    throw new BenchFlagError(`-o ${o.redop}: reduce_scatter (symm_mem::reduce_scatter_out) only sums; use -o sum`);
  }
  if (o.redop === "avg" && o.dtype === "int32") {
    throw new BenchFlagError("-o avg is not defined for -d int32 (an integer mean would have to round); use a float type");
  }
  if (o.root >= o.ranks) {
    throw new BenchFlagError(`-r ${o.root} is not a rank of a ${o.ranks}-rank world: expected 0..${o.ranks - 1}`);
  }
  o.notes = notes;
  return o;
}

/** The -h text. */
export function usage(): string {
  const lines = FLAGS.map((f) => {
    const left = f.short !== undefined ? `-${f.short}, --${f.long}` : `    --${f.long}`;
    return `  ${left.padEnd(24)} ${f.help}`;
  });
  return [
    "usage: npm run bench -- [flags]        (also: npx deno run -A deno/bench.ts [flags])",
    "",
    "Measures a webshmem collective in nccl-tests' table format, with baselines measured in the same run.",
    "",
    ...lines,
    "",
    "example: npm run bench -- --runtime deno --op all_reduce -g 4 -b 8 -e 64M -f 4 --json out.json",
  ].join("\n");
}
