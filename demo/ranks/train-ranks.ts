/**
 * The training panel's rank functions (names start with "train", so that demo-ranks.ts merges them
 * without a clash). A run is set up once (trainSetup), advanced chunk by chunk (trainSteps: the
 * page plots each chunk's losses as it returns) and finished (trainFinish: the parameters, and a
 * hash of each rank's copy to show they are identical). The state lives in this module, one per
 * rank worker.
 *
 * Every step: each rank computes the gradient SUM over its shard of the global batch (WGSL on
 * the webgpu backend, mlp.ts on cpu) into one flat tensor that also carries the shard's loss sum
 * and correct count, all-reduces it with `rank.allReduce(grad, { op: "sum" })`, and applies SGD
 * with the sum scaled by 1/batch. Mode "single": rank 0 alone on the whole batch, no collective.
 */
import { type AllReduceAlgo, getBackend, GpuTensor, type Rank, type RegularTensor } from "../../src/index.ts";
import { MOMENTUM, POINTS, mlpSizes, type TrainConfig } from "../train/config.ts";
import { BatchStream, type Dataset, gather, shardRange, twoSpirals } from "../train/dataset.ts";
import { GpuMlp } from "../train/gpu-mlp.ts";
import { STATS_LEN, forwardBackward, initParams, mlpLayout, type MlpLayout } from "../train/mlp.ts";
import { sgdStep } from "../train/optimizer.ts";

export type TrainMode = "parallel" | "single";

export interface TrainSetupResult {
  readonly rank: number;
  readonly backend: string;
  /** Rows of the global batch this rank trains on. */
  readonly rows: number;
  readonly paramCount: number;
}

export interface TrainChunk {
  /** Mean loss and accuracy of each step's global batch (from the all-reduced stats). */
  readonly losses: number[];
  readonly accs: number[];
  /** This rank's time in the chunk: computing (forward, backward, update) and in the all-reduce. */
  readonly computeMs: number;
  readonly commMs: number;
  readonly wallMs: number;
  /** First chunk on webgpu: max |WGSL gradient − mlp.ts gradient| / max |gradient| of the first step. */
  readonly gradCheck: number | null;
  /** Rank 0: the parameters after the chunk (the page draws the decision regions). */
  readonly params: Float32Array | null;
}

export interface TrainFinish {
  /** FNV-1a of this rank's parameter bytes: equal on every rank after data-parallel training. */
  readonly hash: string;
  readonly params: Float32Array | null;
}

interface RunState {
  readonly mode: TrainMode;
  readonly cfg: TrainConfig;
  readonly layout: MlpLayout;
  readonly data: Dataset;
  readonly stream: BatchStream;
  readonly range: [number, number];
  readonly algo: "auto" | AllReduceAlgo;
  readonly initial: Float32Array<ArrayBuffer>;
  step: number;
  readonly cpu?: { params: Float32Array; velocity: Float32Array };
  readonly gpu?: { mlp: GpuMlp; grad: GpuTensor };
}

let state: RunState | undefined;

function release(rank: Rank): void {
  if (state?.gpu) {
    state.gpu.mlp.destroy();
    getBackend("webgpu").dispose(rank, state.gpu.grad);
  }
  state = undefined;
}

/**
 * Starts a run on every rank (mode "single": on rank 0 only; the others return null). `chunkSteps`:
 * the most steps one trainSteps call will run; `algo`: the all-reduce algorithm (rank.allReduce's).
 */
export function trainSetup(
  rank: Rank, cfg: TrainConfig, mode: TrainMode, chunkSteps: number, algo: "auto" | AllReduceAlgo = "auto",
): TrainSetupResult | null {
  release(rank);
  if (mode === "single" && rank.rank !== 0) return null;
  const world = mode === "single" ? 1 : rank.worldSize;
  const layout = mlpLayout(mlpSizes(cfg.hidden));
  const data = twoSpirals(cfg.seed, POINTS);
  const range = shardRange(cfg.batch, world, mode === "single" ? 0 : rank.rank);
  const initial = initParams(layout, cfg.seed);
  const base = { mode, cfg, layout, data, stream: new BatchStream(cfg.seed, data.n, cfg.batch), range, algo, initial, step: 0 };
  if (rank.backend === "webgpu") {
    if (rank.device === null) throw new Error("trainSetup: the webgpu backend gave this rank no device");
    const grad = rank.zeros([layout.count + STATS_LEN]);
    if (!(grad instanceof GpuTensor)) throw new Error(`trainSetup: expected a GPU tensor, got one of backend ${grad.backend}`);
    const mlp = new GpuMlp(rank.device, {
      layout, data, rows: range[1] - range[0], params: initial, lr: cfg.lr, momentum: MOMENTUM, batch: cfg.batch, historySteps: chunkSteps,
    });
    state = { ...base, gpu: { mlp, grad } };
  } else {
    state = { ...base, cpu: { params: initial.slice(), velocity: new Float32Array(layout.count) } };
  }
  return { rank: rank.rank, backend: rank.backend, rows: range[1] - range[0], paramCount: layout.count };
}

function requireState(fn: string): RunState {
  if (state === undefined) throw new Error(`${fn}: no training run is set up on this rank (trainSetup first)`);
  return state;
}

/** Runs `count` more steps (the same count on every rank: each step is one collective). */
export async function trainSteps(rank: Rank, count: number): Promise<TrainChunk | null> {
  if (state === undefined && rank.rank !== 0) return null; // not in this single-rank run
  const s = requireState("trainSteps");
  const { layout, cfg } = s;
  const parallel = s.mode === "parallel";
  const losses: number[] = [];
  const accs: number[] = [];
  let computeMs = 0;
  let commMs = 0;
  let gradCheck: number | null = null;
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const shard = s.stream.globalBatch(s.step).subarray(s.range[0], s.range[1]);
    const t0 = performance.now();
    let local: RegularTensor;
    if (s.gpu) {
      s.gpu.mlp.forwardBackward(shard, s.gpu.grad.buffer);
      await rank.device!.queue.onSubmittedWorkDone();
      local = s.gpu.grad;
      if (s.step === 0) gradCheck = await checkGradient(rank, s, shard);
    } else {
      const { x, y } = gather(s.data, shard);
      const g = new Float32Array(layout.count + STATS_LEN);
      forwardBackward(layout, s.cpu!.params, x, y, shard.length, g);
      local = rank.tensor(g);
    }
    const t1 = performance.now();
    const reduced = parallel ? await rank.allReduce(local, { op: "sum", algo: s.algo }) : local;
    const t2 = performance.now();
    if (s.gpu) {
      s.gpu.mlp.update((reduced as GpuTensor).buffer, k);
      if (reduced !== local) getBackend(reduced.backend).dispose(rank, reduced);
    } else {
      const sum = (await rank.read(reduced)) as Float32Array;
      if (reduced !== local) getBackend(reduced.backend).dispose(rank, reduced);
      getBackend(local.backend).dispose(rank, local);
      losses.push(sum[layout.count] / cfg.batch);
      accs.push(sum[layout.count + 1] / cfg.batch);
      sgdStep(s.cpu!.params, s.cpu!.velocity, sum, cfg.batch, { lr: cfg.lr, momentum: MOMENTUM });
    }
    computeMs += performance.now() - t2 + (t1 - t0);
    if (parallel) commMs += t2 - t1; // single: no collective, nothing to count

    s.step++;
  }
  let params: Float32Array | null = null;
  if (s.gpu) {
    const t = performance.now();
    const h = await s.gpu.mlp.readHistory(count);
    for (let k = 0; k < count; k++) {
      losses.push(h[2 * k] / cfg.batch);
      accs.push(h[2 * k + 1] / cfg.batch);
    }
    if (rank.rank === 0) params = await s.gpu.mlp.readParams();
    computeMs += performance.now() - t;
  } else if (rank.rank === 0) {
    params = s.cpu!.params.slice();
  }
  return { losses, accs, computeMs, commMs, wallMs: performance.now() - start, gradCheck, params };
}

/** The first step's WGSL gradient against mlp.ts on the same parameters and rows. */
async function checkGradient(rank: Rank, s: RunState, shard: Uint32Array<ArrayBuffer>): Promise<number> {
  const gpu = (await rank.read(s.gpu!.grad)) as Float32Array;
  const { x, y } = gather(s.data, shard);
  const ref = new Float32Array(s.layout.count + STATS_LEN);
  forwardBackward(s.layout, s.initial, x, y, shard.length, ref);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i <= s.layout.count; i++) { // the gradient and the loss sum
    scale = Math.max(scale, Math.abs(ref[i]));
    diff = Math.max(diff, Math.abs(gpu[i] - ref[i]));
  }
  return Number.isFinite(diff) ? diff / Math.max(scale, 1e-30) : Infinity;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Ends the run: this rank's parameter hash (and rank 0's parameters); frees what the run made. */
export async function trainFinish(rank: Rank): Promise<TrainFinish | null> {
  if (state === undefined) return null;
  try {
    const params = state.gpu ? await state.gpu.mlp.readParams() : state.cpu!.params.slice();
    return { hash: fnv1a(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)), params: rank.rank === 0 ? params : null };
  } finally {
    release(rank);
  }
}

/** Frees a run's buffers without results (after an error or a stop). */
export function trainAbort(rank: Rank): void {
  release(rank);
}
