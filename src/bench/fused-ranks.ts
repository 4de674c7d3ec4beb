/**
 * The fused async-TP ops in a rank (`world.run("measureFused", spec)`, through ranks.ts): one
 * variant of one row, timed as the other ops are (each iteration from a barrier of all ranks to
 * the op's return with the device queue drained):
 *   - fused:   symm_mem::fused_all_gather_matmul(A, [B], 0, return_A) / fused_matmul_reduce_scatter(A, B, "sum", 0)
 *   - unfused: multimem_all_gather_out(A, out = G) then webshmem::mm(G, B) /
 *              webshmem::mm(A, B) then reduce_scatter_out(C, output)
 *   - comm:    the all-gather / reduce-scatter of the decomposition alone
 *   - matmul:  the matmul of the decomposition alone
 * Checking (fused only): every iteration's results (the gathered A and A @ B, or this rank's rows
 * of the sum) against the decomposition's, run once before the timed loop; and for float32 rows
 * small enough (M·K·N·world ≤ 2^24), the decomposition itself against a float64 JavaScript
 * reference computed here from the inputs' generator (exact: the inputs are multiples of 1/16).
 */
import {
  type CollectiveDType, getBackend, narrow, type Rank, type RegularTensor, type SymmetricMemoryHandle, type Tensor, widen,
} from "../internal.ts";
import { countWrong, fillInput, rawArray, type RawArray } from "./data.ts";
import { recorder, STEPS, type Step } from "./recorder.ts";
import { median } from "./metrics.ts";
import { FUSED_AG, FUSED_RS } from "./variants.ts";

/** The decomposition's ops. */
export const ALL_GATHER_OUT = "symm_mem::multimem_all_gather_out";
export const REDUCE_SCATTER_OUT = "symm_mem::reduce_scatter_out";
export const MM = "webshmem::mm";

/** What one timed loop runs. */
export type FusedVariant = "fused" | "unfused" | "comm" | "matmul";
export const FUSED_VARIANTS: readonly FusedVariant[] = ["fused", "unfused", "comm", "matmul"];

/** One variant of one fused row. */
export interface FusedSpec {
  readonly op: "fused_all_gather_matmul" | "fused_matmul_reduce_scatter";
  readonly variant: FusedVariant;
  readonly dtype: CollectiveDType;
  /** The matmul: M rows of the gathered (scattered) activation, K = columns of A, N = columns of B. */
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly warmup: number;
  readonly iters: number;
  /** Check the fused results (the other variants are never checked). */
  readonly check: boolean;
  readonly breakdown: boolean;
}

export interface FusedResult {
  readonly meanUs: number;
  /** The median timed iteration, µs. */
  readonly medianUs: number;
  /** Wrong elements over every iteration; null when not checked. */
  readonly wrong: number | null;
  readonly steps?: Record<Step, number>;
}

/** Largest M·K·N·world for which the float64 reference is computed (about 0.1 s of JavaScript). */
export const F64_REFERENCE_MACS = 1 << 24;

/** Rank `r`'s B (the same generator as the inputs, offset by the world size so it differs from every A). */
const bSeed = (r: number, world: number): number => world + r;

/** The rows of A rank `r` holds: its shard [M/world, K] (all-gather) or all of A [M, K] (reduce-scatter). */
function inputA(s: FusedSpec, r: number, world: number): RawArray {
  const rows = s.op === "fused_all_gather_matmul" ? s.m / world : s.m;
  return fillInput(s.dtype, r, 0, rawArray(s.dtype, rows * s.k));
}

function inputB(s: FusedSpec, r: number, world: number): RawArray {
  return fillInput(s.dtype, bSeed(r, world), 0, rawArray(s.dtype, s.k * s.n));
}

/** out[i, j] (+)= Σ_t a[i, t] · b[t, j] in float64, over the widened stored values. */
function addProduct(dtype: CollectiveDType, a: RawArray, b: RawArray, rows: number, k: number, n: number, out: Float64Array): void {
  const bw = Float64Array.from(b, (v) => widen(dtype, v));
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < k; t++) {
      const x = widen(dtype, a[i * k + t]);
      if (x === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += x * bw[t * n + j];
    }
  }
}

function narrowed(dtype: CollectiveDType, v: Float64Array): RawArray {
  const out = rawArray(dtype, v.length);
  for (let i = 0; i < v.length; i++) out[i] = narrow(dtype, v[i]);
  return out;
}

/** Rank `me`'s results computed in float64: [the gathered A, A @ B] or [its rows of the sum of A @ B]. */
export function fusedReference(s: Pick<FusedSpec, "op" | "dtype" | "m" | "k" | "n">, me: number, world: number): RawArray[] {
  const spec = s as FusedSpec;
  const rows = s.m / world;
  if (s.op === "fused_all_gather_matmul") {
    const gathered = rawArray(s.dtype, s.m * s.k);
    for (let p = 0; p < world; p++) gathered.set(inputA(spec, p, world), p * rows * s.k);
    const c = new Float64Array(s.m * s.n);
    addProduct(s.dtype, gathered, inputB(spec, me, world), s.m, s.k, s.n, c);
    return [gathered, narrowed(s.dtype, c)];
  }
  const sum = new Float64Array(rows * s.n);
  for (let q = 0; q < world; q++) {
    const a = inputA(spec, q, world).subarray(me * rows * s.k, (me + 1) * rows * s.k) as RawArray;
    addProduct(s.dtype, a, inputB(spec, q, world), rows, s.k, s.n, sum);
  }
  return [narrowed(s.dtype, sum)];
}

/** The tensors of one variant: A and B of this rank, and the decomposition's preallocated outputs. */
interface FusedTensors {
  readonly A: RegularTensor;
  readonly B: RegularTensor;
  /** All-gather: the gathered A [M, K] (all_gather_out's out; matmul's input). Reduce-scatter: A @ B [M, N]. */
  readonly full: RegularTensor;
  /** Reduce-scatter: reduce_scatter_out's output [M/world, N]. */
  readonly part?: RegularTensor;
}

function tensors(rank: Rank, s: FusedSpec): FusedTensors {
  const world = rank.worldSize;
  const ag = s.op === "fused_all_gather_matmul";
  const rows = s.m / world;
  const A = rank.tensor(inputA(s, rank.rank, world), { dtype: s.dtype, shape: [ag ? rows : s.m, s.k] });
  const B = rank.tensor(inputB(s, rank.rank, world), { dtype: s.dtype, shape: [s.k, s.n] });
  if (ag) {
    // The matmul alone multiplies the gathered A (its contents do not change its time; they are the real ones).
    const gathered = rawArray(s.dtype, s.m * s.k);
    if (s.variant === "matmul") for (let p = 0; p < world; p++) gathered.set(inputA(s, p, world), p * rows * s.k);
    return { A, B, full: rank.tensor(gathered, { dtype: s.dtype, shape: [s.m, s.k] }) };
  }
  return { A, B, full: rank.zeros([s.m, s.n], s.dtype), part: rank.zeros([rows, s.n], s.dtype) };
}

/** One call of the variant; returns the tensors to check (fused and unfused), to dispose afterwards (`made`). */
async function step(rank: Rank, s: FusedSpec, t: FusedTensors): Promise<{ results: Tensor[]; made: Tensor[] }> {
  const ag = s.op === "fused_all_gather_matmul";
  const group_name = "world";
  if (s.variant === "fused") {
    if (ag) {
      const [gathered, outs] = await rank.call(FUSED_AG, { A: t.A, Bs: [t.B], gather_dim: 0, group_name, return_A: true }) as
        [Tensor, Tensor[]];
      return { results: [gathered, outs[0]], made: [gathered, ...outs] };
    }
    const out = await rank.call(FUSED_RS, { A: t.A, B: t.B, reduce_op: "sum", scatter_dim: 0, group_name }) as Tensor;
    return { results: [out], made: [out] };
  }
  const gather = () => rank.call(ALL_GATHER_OUT, { input: t.A, group_name, out: t.full });
  const scatter = (c: Tensor) => rank.call(REDUCE_SCATTER_OUT, { input: c, group_name, split_last_dim: false, output: t.part });
  if (s.variant === "comm") {
    await (ag ? gather() : scatter(t.full));
    return { results: [], made: [] };
  }
  if (s.variant === "matmul") {
    const c = await rank.call(MM, { self: ag ? t.full : t.A, mat2: t.B }) as Tensor;
    return { results: [], made: [c] };
  }
  if (ag) {
    await gather();
    const c = await rank.call(MM, { self: t.full, mat2: t.B }) as Tensor;
    return { results: [t.full, c], made: [c] };
  }
  const c = await rank.call(MM, { self: t.A, mat2: t.B }) as Tensor;
  await scatter(c);
  return { results: [t.part!], made: [c] };
}

function dispose(rank: Rank, made: readonly Tensor[], keep: FusedTensors): void {
  const backend = getBackend(rank.backend);
  for (const x of made) {
    if (x === keep.A || x === keep.B || x === keep.full || x === keep.part) continue;
    if (backend.isTensor(x)) backend.dispose(rank, x as RegularTensor);
  }
}

const drain = (rank: Rank): Promise<void> => rank.device?.queue.onSubmittedWorkDone() ?? Promise.resolve();

async function readAll(rank: Rank, ts: readonly Tensor[]): Promise<RawArray[]> {
  return Promise.all(ts.map(async (x) => (await rank.read(x)) as unknown as RawArray));
}

function wrongOf(dtype: CollectiveDType, got: readonly RawArray[], want: readonly RawArray[], exact: boolean): number {
  return want.reduce((sum, w, i) => sum + countWrong(dtype, got[i] ?? rawArray(dtype, 0), w, exact), 0);
}

/**
 * Runs one variant of one row: the timed loop on `sync` (the benchmark's own barrier channel),
 * with the check of the fused results when asked.
 */
export async function measureFusedWith(rank: Rank, sync: SymmetricMemoryHandle, channel: number, s: FusedSpec): Promise<FusedResult> {
  const t = tensors(rank, s);
  const world = rank.worldSize;
  const checking = s.check && s.variant === "fused";
  try {
    let want: RawArray[] | undefined;
    let wrong = 0;
    if (checking) {
      // The decomposition, once, untimed: what every fused result is compared with.
      const ref = await step(rank, { ...s, variant: "unfused" }, t);
      want = await readAll(rank, ref.results);
      dispose(rank, ref.made, t);
      if (s.dtype === "float32" && s.m * s.k * s.n * world <= F64_REFERENCE_MACS) {
        wrong += wrongOf(s.dtype, want, fusedReference(s, rank.rank, world), false);
      }
    }
    let totalMs = 0;
    const times: number[] = [];
    recorder.reset();
    for (let it = 0; it < s.warmup + s.iters; it++) {
      const timed = it >= s.warmup;
      await drain(rank);
      await sync.barrier({ channel });
      if (timed && s.breakdown) recorder.begin();
      const t0 = performance.now();
      const r = await step(rank, s, t);
      await recorder.span("drain", true, () => drain(rank));
      const ms = performance.now() - t0;
      if (timed) {
        totalMs += ms;
        times.push(ms);
        if (s.breakdown) recorder.end(ms);
      }
      if (want !== undefined) wrong += wrongOf(s.dtype, await readAll(rank, r.results), want, false);
      dispose(rank, r.made, t);
    }
    const perIter = s.iters > 0 ? 1 / s.iters : 0;
    return {
      meanUs: totalMs * perIter * 1000,
      medianUs: median(times) * 1000,
      wrong: checking ? wrong : null,
      steps: s.breakdown
        ? Object.fromEntries(STEPS.map((k) => [k, recorder.read()[k] * perIter * 1000])) as Record<Step, number>
        : undefined,
    };
  } finally {
    dispose(rank, [t.A, t.B, t.full, ...(t.part !== undefined ? [t.part] : [])], {} as FusedTensors);
  }
}
