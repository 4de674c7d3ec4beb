/**
 * The one tuning table the high-level API consults to pick an all-reduce algorithm by size, as
 * NCCL's tuner does. Every number here is a PLACEHOLDER until the benchmark issue measures it;
 * each entry says why it was guessed the way it was.
 */
export type AllReduceAlgo = "one_shot" | "two_shot";

export interface AllReduceTuning {
  /** Largest tensor (bytes) for which one-shot is chosen; two-shot above. */
  readonly oneShotMaxBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const ALL_REDUCE_TUNING: Readonly<Record<string, AllReduceTuning>> = {
  // cpu: one-shot reads world × n elements per rank, two-shot n (plus n written to peers) but
  // pays one more heap copy for its output. Memory bandwidth dominates past a few hundred KiB,
  // where the world-fold extra reads of one-shot start to cost more than that copy; PyTorch's
  // intra-node one-shot limit is in the same range.
  cpu: { oneShotMaxBytes: 256 * KiB },
  // webgpu: one-shot uploads every peer's copy and keeps the result on the device (no readback);
  // two-shot must read its slice back to the heap before peers can gather it, one mapAsync
  // (~11 ms on Deno, ~0.3 ms on Chromium). Until uploads cost more than that round trip, one-shot
  // wins, hence a much larger guess.
  webgpu: { oneShotMaxBytes: 4 * MiB },
};

/** Used for a backend the table does not list (a plugin): the cpu guess, the conservative one. */
export const DEFAULT_ALL_REDUCE_TUNING: AllReduceTuning = ALL_REDUCE_TUNING.cpu;

export function allReduceTuning(backend: string): AllReduceTuning {
  return ALL_REDUCE_TUNING[backend] ?? DEFAULT_ALL_REDUCE_TUNING;
}

/** The algorithm for `bytes` on `backend` in a group of `worldSize` ranks. */
export function chooseAllReduceAlgo(backend: string, bytes: number, worldSize: number): AllReduceAlgo {
  // One rank has nothing to scatter; two-shot would only add a copy.
  if (worldSize <= 1) return "one_shot";
  return bytes <= allReduceTuning(backend).oneShotMaxBytes ? "one_shot" : "two_shot";
}
