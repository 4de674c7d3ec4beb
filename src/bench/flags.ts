/**
 * The benchmark's command line, as nccl-tests spells it (`-b -e -f -n -w -c -o -d -g`, plus `-i`
 * and `-r`), and webshmem's own long flags. Parsing is pure: every runtime's entry point and the
 * demo page share it, and every mistake is a BenchFlagError that says what was expected.
 */
import { type CollectiveDType, type ReduceOp } from "../internal.ts";
import { formatBytes } from "./format.ts";

/** The backends the benchmark measures. */
export type BenchBackend = "webgpu" | "cpu";

export type BenchOp =
  | "all_reduce" | "reduce_scatter" | "all_gather" | "broadcast" | "all_to_all" | "all_to_all_vdev_2d"
  | "fused_all_gather_matmul" | "fused_matmul_reduce_scatter";
export type BenchAlgo = "auto" | "one_shot" | "two_shot" | "multimem" | "host";
export type BenchRuntime = "chromium" | "deno" | "node";

export const BENCH_OPS: readonly BenchOp[] = [
  "all_reduce", "reduce_scatter", "all_gather", "broadcast", "all_to_all", "all_to_all_vdev_2d",
  "fused_all_gather_matmul", "fused_matmul_reduce_scatter",
];
/** The fused async-TP ops (symm_mem::fused_*): a matmul with its all-gather or reduce-scatter (fused.ts). */
export const FUSED_OPS: readonly BenchOp[] = ["fused_all_gather_matmul", "fused_matmul_reduce_scatter"];
/** K = N of the fused ops' matmul (--hidden) unless given. */
export const DEFAULT_HIDDEN = 64;
/** The ops that reduce (the others ignore -o). */
export const REDUCING_OPS: readonly BenchOp[] = ["all_reduce", "reduce_scatter"];
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
  /** Experts per rank of all_to_all_vdev_2d (its splits are world · experts bins). */
  readonly experts: number;
  /** The fused ops' matmul: K = N = hidden (A [M/world, K] or [M, K] per rank, B [K, N]). */
  readonly hidden: number;
  readonly op: BenchOp;
  readonly algo: BenchAlgo;
  readonly backend: BenchBackend;
  readonly runtime: BenchRuntime;
  readonly json: string | undefined;
  readonly breakdown: boolean;
  /** --trace FILE: every timed iteration's steps per rank, in the Trace Event Format (trace.ts). */
  readonly trace: string | undefined;
  readonly baselines: boolean;
  /** launch({ wasmHeap }): the heap slabs as WebAssembly memories where the runtime can (default true). */
  readonly wasmHeap: boolean;
  /** webshmem::host_all_reduce_'s oneRoundMaxBytes on every rank; undefined: the library's default. */
  readonly oneRoundMax: number | undefined;
  /** webshmem::host_all_reduce_'s reduceOnceMaxBytes on every rank (0: none); undefined: the library's default. */
  readonly reduceOnceMax: number | undefined;
  /** webshmem::host_all_reduce_'s chunkBytes on every rank (a multiple of 256); undefined: the library's default. */
  readonly chunkBytes: number | undefined;
  /** webshmem::host_all_reduce_'s inSlots and outSlots on every rank; undefined: the library's defaults. */
  readonly slots: number | undefined;
  readonly help: boolean;
  /** Adjustments the parser made (e.g. node forces the cpu backend), for stderr. */
  readonly notes: readonly string[];
}

/** An option of BenchOptions that a flag (or a page's form field) sets. */
export type OptionKey = Exclude<keyof BenchOptions, "notes">;

/**
 * How messages name an option. The command line's names by default (CLI_NAMES: "-e/--maxbytes"
 * where a value is refused, "-e" where two options are compared); a page passes its form fields'
 * labels, so that its errors name what the user sees.
 */
export interface OptionNames {
  /** Where the option's value is refused: "-e/--maxbytes". */
  full(key: OptionKey): string;
  /** In messages that name several options: "-e". */
  short(key: OptionKey): string;
  /** true for the command line's names (messages then say what to leave out or add). */
  readonly cli: boolean;
}

export class BenchFlagError extends Error {
  override name = "BenchFlagError";
  /** The option at fault (the first of them, where several conflict), when there is one. */
  readonly field?: OptionKey;
  constructor(message: string, field?: OptionKey) {
    super(message);
    if (field !== undefined) this.field = field;
  }
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `8`, `1K`, `64M`, `1G` (also `KB`, `KiB`, lower case, decimals): bytes, as nccl-tests' parsesize (1024-based). */
export function parseBytes(text: string, flag = "size", field?: OptionKey): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (m === null) {
    throw new BenchFlagError(`${flag} expects a byte count like 8, 1K, 64M or 1G; found "${text}"`, field);
  }
  return Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
}

const DTYPE_NAMES: Record<string, CollectiveDType> = {
  float: "float32", float32: "float32", f32: "float32",
  half: "float16", float16: "float16", f16: "float16",
  bfloat16: "bfloat16", bf16: "bfloat16",
  int32: "int32", int: "int32", i32: "int32",
};

export function parseDType(text: string, flag = "-d", field?: OptionKey): CollectiveDType {
  const d = DTYPE_NAMES[text.toLowerCase()];
  if (d === undefined) {
    throw new BenchFlagError(
      `${flag} expects one of float, half, bfloat16, int32 (or float32, float16, bf16, f32, f16, i32, int); found "${text}"` +
        (/^(u?int(8|64)|uint32|double|float64|fp8.*)$/i.test(text) ? " (webshmem's collectives compute on those four only)" : ""),
      field,
    );
  }
  return d;
}

type Kind = "bytes" | "chunk" | "slots" | "factor" | "count" | "count0" | "bit" | "redop" | "dtype" | "ranks" | "root" | "experts" | "hidden" | "op" | "algo"
  | "backend" | "runtime" | "path" | "switch";

interface FlagSpec {
  readonly short?: string;
  readonly long: string;
  readonly aliases?: readonly string[];
  readonly key: OptionKey;
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
  { long: "op", key: "op", kind: "op", help: "all_reduce | reduce_scatter | all_gather | broadcast | all_to_all | all_to_all_vdev_2d | fused_all_gather_matmul | fused_matmul_reduce_scatter; default all_reduce" },
  { long: "experts", key: "experts", kind: "experts", help: "experts per rank of all_to_all_vdev_2d (seeded uneven splits, BENCHMARKS.md), 1..16; default 2" },
  { long: "hidden", key: "hidden", kind: "hidden", help: `K = N of the fused ops' matmul (B is K x N), 1..4096; default ${DEFAULT_HIDDEN}` },
  { long: "algo", key: "algo", kind: "algo", help: "auto | one_shot | two_shot | multimem | host (all_reduce); default auto (the tuning table)" },
  { long: "backend", key: "backend", kind: "backend", help: "webgpu | cpu; default webgpu (cpu on node, where webgpu is Dawn: see README)" },
  { long: "runtime", key: "runtime", kind: "runtime", help: "chromium | deno | node; default deno" },
  { long: "json", key: "json", kind: "path", help: "also write the results as JSON to this file" },
  { long: "breakdown", key: "breakdown", kind: "switch", help: "print where the time goes, step by step" },
  { long: "trace", key: "trace", kind: "path", help: "also write every rank's steps per iteration to this file (Trace Event Format: Perfetto, chrome://tracing)" },
  { long: "baselines", key: "baselines", kind: "bit", help: "0/1: measure the baselines in the same run, default 1" },
  { long: "wasm_heap", key: "wasmHeap", kind: "bit", help: "0/1: heap slabs as WebAssembly memories, read in place by the host reductions, where the runtime has multi-memory; default 1" },
  { long: "one_round_max", key: "oneRoundMax", kind: "bytes", help: "host all-reduce: largest device tensor taking the one-round path (0: none); default the library's" },
  { long: "reduce_once_max", key: "reduceOnceMax", kind: "bytes", help: "host all-reduce: largest device tensor (above --one_round_max) reduced once by the last rank to arrive (0: none); default the library's" },
  { long: "chunk_bytes", key: "chunkBytes", kind: "chunk", help: "host all-reduce pipeline: bytes per chunk (a multiple of 256); default the library's" },
  { long: "slots", key: "slots", kind: "slots", help: "host all-reduce pipeline: in-slots and out-slots per rank, 1..1024; default the library's" },
  { short: "h", long: "help", key: "help", kind: "switch", help: "print this help" },
];

export function defaultOptions(runtime: BenchRuntime = "deno"): BenchOptions {
  return {
    minBytes: 8, maxBytes: 32 * 1024 ** 2, stepFactor: 4, stepBytes: 0, iters: 20, warmup: 5, check: true,
    redop: "sum", dtype: "float32", ranks: 4, root: 0, experts: 2, hidden: DEFAULT_HIDDEN, op: "all_reduce", algo: "auto",
    backend: runtime === "node" ? "cpu" : "webgpu", runtime, json: undefined, breakdown: false, trace: undefined, baselines: true, wasmHeap: true,
    oneRoundMax: undefined, reduceOnceMax: undefined, chunkBytes: undefined, slots: undefined, help: false, notes: [],
  };
}

function name(spec: FlagSpec): string {
  return spec.short !== undefined ? `-${spec.short}/--${spec.long}` : `--${spec.long}`;
}

const spec = (key: OptionKey): FlagSpec => FLAGS.find((f) => f.key === key)!;

/** The command line's names of the options. */
export const CLI_NAMES: OptionNames = {
  full: (key) => name(spec(key)),
  short: (key) => {
    const f = spec(key);
    return f.short !== undefined ? `-${f.short}` : `--${f.long}`;
  },
  cli: true,
};

/** OptionNames from a form's labels (both forms of the name are the label). */
export function labelNames(labels: Readonly<Partial<Record<OptionKey, string>>>): OptionNames {
  const label = (key: OptionKey) => labels[key] ?? spec(key).long;
  return { full: label, short: label, cli: false };
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[], field?: OptionKey): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new BenchFlagError(`${flag} expects one of ${allowed.join(", ")}; found "${text}"`, field);
  }
  return text as T;
}

function integer(flag: string, text: string, lo: number, hi: number, what: string, field?: OptionKey): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || v < lo || v > hi) {
    throw new BenchFlagError(`${flag} expects ${what} (an integer in [${lo}, ${hi}]); found "${text}"`, field);
  }
  return v;
}

function convert(spec: FlagSpec, text: string, names: OptionNames = CLI_NAMES): unknown {
  const flag = names.full(spec.key);
  const key = spec.key;
  switch (spec.kind) {
    case "bytes": {
      const v = parseBytes(text, flag, key);
      if (spec.key !== "stepBytes" && spec.key !== "oneRoundMax" && spec.key !== "reduceOnceMax" && v < 1) throw new BenchFlagError(`${flag} expects at least 1 byte; found "${text}"`, key);
      return v;
    }
    case "factor": {
      const v = Number(text);
      if (!Number.isFinite(v) || v <= 1 || text.trim() === "") {
        throw new BenchFlagError(`${flag} expects a step factor greater than 1 (e.g. 2 or 4); found "${text}"`, key);
      }
      return v;
    }
    case "count": return integer(flag, text, 1, 1_000_000, "an iteration count", key);
    case "count0": return integer(flag, text, 0, 1_000_000, "an iteration count", key);
    case "chunk": {
      const v = parseBytes(text, flag, key);
      if (v < 256 || v % 256 !== 0) throw new BenchFlagError(`${flag} expects a chunk size that is a positive multiple of 256 bytes; found "${text}"`, key);
      return v;
    }
    case "slots": return integer(flag, text, 1, 1024, "slots per rank", key);
    case "bit": return integer(flag, text, 0, 1, "0 or 1", key) === 1;
    case "redop": return oneOf(flag, text, REDOPS, key);
    case "dtype": return parseDType(text, flag, key);
    case "ranks": return integer(flag, text, 1, 16, "a number of ranks", key);
    case "root": return integer(flag, text, 0, 15, "a root rank", key);
    case "experts": return integer(flag, text, 1, 16, "a number of experts per rank", key);
    case "hidden": return integer(flag, text, 1, 4096, "the matmul's K = N", key);
    case "op": return oneOf(flag, text, BENCH_OPS, key);
    case "algo": return oneOf(flag, text, BENCH_ALGOS, key);
    case "backend": return oneOf(flag, text, BACKENDS, key);
    case "runtime": return oneOf(flag, text, BENCH_RUNTIMES, key);
    case "path":
      if (text === "") throw new BenchFlagError(`${flag} expects a file name`, key);
      return text;
    case "switch": return integer(flag, text, 0, 1, "0 or 1 (or no value)", key) === 1;
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
  const given = new Set<OptionKey>();
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

/**
 * The options from a form: each field's text by option (fields left out keep their defaults),
 * checked as the flags are, with errors that name the fields by `names` (labelNames(…)) and say
 * which field is at fault (BenchFlagError.field). Throws BenchFlagError.
 */
export function parseFields(
  fields: Readonly<Partial<Record<OptionKey, string>>>, runtime: BenchRuntime, names: OptionNames,
): BenchOptions {
  const o: Mutable = { ...defaultOptions(runtime), notes: [] };
  const given = new Set<OptionKey>();
  for (const f of FLAGS) {
    const text = fields[f.key];
    if (text === undefined) continue;
    (o as Record<string, unknown>)[f.key] = convert(f, text, names);
    given.add(f.key);
  }
  return finish(o, given, names);
}

function finish(o: Mutable, given: Set<OptionKey>, names: OptionNames = CLI_NAMES): BenchOptions {
  const notes: string[] = [];
  const n = names.short;
  // Node's WebGPU (Dawn, the optional npm package "webgpu") needs a Vulkan driver: asked for only.
  if (!given.has("backend")) o.backend = o.runtime === "node" ? "cpu" : "webgpu";
  if (o.minBytes > o.maxBytes) {
    throw new BenchFlagError(names.cli
      ? `-b (minbytes ${o.minBytes}) is larger than -e (maxbytes ${o.maxBytes})`
      : `${n("minBytes")} (${formatBytes(o.minBytes)}) is larger than ${n("maxBytes")} (${formatBytes(o.maxBytes)})`, "minBytes");
  }
  if (given.has("stepBytes") && given.has("stepFactor")) {
    throw new BenchFlagError(`give either ${n("stepFactor")} (step factor) or ${n("stepBytes")} (step bytes), not both`, "stepBytes");
  }
  if (given.has("stepBytes") && o.stepBytes < 1) {
    throw new BenchFlagError(`${n("stepBytes")} expects at least 1 byte; found ${o.stepBytes}`, "stepBytes");
  }
  if (o.op !== "all_reduce" && o.algo !== "auto") {
    throw new BenchFlagError(`${n("algo")} ${o.algo} applies to ${n("op")} all_reduce only; ${o.op} has one algorithm ` +
      `(${names.cli ? "leave --algo out" : `choose ${n("algo")} auto`})`, "algo");
  }
  if ((o.op === "reduce_scatter") && o.redop !== "sum") {
    throw new BenchFlagError(`${n("redop")} ${o.redop}: reduce_scatter (symm_mem::reduce_scatter_out) only sums; use ${n("redop")} sum`, "redop");
  }
  if (o.op === "fused_matmul_reduce_scatter" && o.redop !== "sum") {
    throw new BenchFlagError(`${n("redop")} ${o.redop}: fused_matmul_reduce_scatter is compared with mm then ` +
      `symm_mem::reduce_scatter_out, which only sums; use ${n("redop")} sum`, "redop");
  }
  if (FUSED_OPS.includes(o.op) && o.dtype === "int32") {
    throw new BenchFlagError(`${n("dtype")} int32: ${o.op} multiplies matrices of float, half or bfloat16 only`, "dtype");
  }
  if (given.has("hidden") && !FUSED_OPS.includes(o.op)) {
    throw new BenchFlagError(`${n("hidden")} applies to the fused ops only (${n("op")} ${FUSED_OPS.join(" or ")}); ` +
      `${o.op} has no matmul (${names.cli ? "leave --hidden out" : `choose ${n("op")} ${FUSED_OPS[0]}`})`, "hidden");
  }
  if (o.redop === "avg" && o.dtype === "int32") {
    throw new BenchFlagError(`${n("redop")} avg is not defined for ${n("dtype")} int32 (an integer mean would have to round); use a float type`, "redop");
  }
  if (given.has("experts") && o.op !== "all_to_all_vdev_2d") {
    throw new BenchFlagError(`${n("experts")} applies to ${n("op")} all_to_all_vdev_2d only; ${o.op} has no experts ` +
      `(${names.cli ? "leave --experts out" : `choose ${n("op")} all_to_all_vdev_2d`})`, "experts");
  }
  if (o.root >= o.ranks) {
    throw new BenchFlagError(`${n("root")} ${o.root} is not a rank of a ${o.ranks}-rank world: expected 0..${o.ranks - 1}`, "root");
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
