/**
 * all_to_all_vdev_2d's split tensors in a rank, of the same kind as the row's data tensors (so
 * their cost is measured as a user would pay it): `in_splits` (int32, world · experts, this rank's
 * row of the plan) and `out_splits_offsets` (int32, [2, world · experts]) — regular GPU tensors on
 * webgpu, views of a small heap buffer on cpu. Poisoning and the check run outside the timed window.
 */
import {
  getBackend, GpuTensor, type Rank, SymmetricTensor, type Tensor,
} from "../internal.ts";
import { receivedOffsets, receivedSplits, type SplitPlan } from "./splits.ts";

/** Heap bytes the cpu split tensors need at most (16 ranks × 16 experts, three rows of int32). */
export const SPLIT_TENSOR_BYTES = 16 * 16 * 3 * 4;

export interface SplitTensors {
  readonly inSplits: Tensor;
  readonly outSplitsOffsets: Tensor;
  /** Fills out_splits_offsets with -1, so splits the op never wrote are caught. */
  poison(): void;
  /** Entries of out_splits_offsets that differ from the plan's received splits and offsets. */
  wrong(): Promise<number>;
  close(): void;
}

/** This rank's split tensors for `plan`; `heap` is the cpu backend's buffer for them. */
export function splitTensors(rank: Rank, plan: SplitPlan, heap: SymmetricTensor | undefined): SplitTensors {
  const bins = plan.ranks * plan.experts;
  if (3 * bins * 4 > SPLIT_TENSOR_BYTES) throw new Error(`bench: ${bins} splits do not fit the split tensors' buffer`);
  const mine = Int32Array.from(plan.inSplits[rank.rank]);
  const want = Int32Array.from([...receivedSplits(plan, rank.rank), ...receivedOffsets(plan, rank.rank)]);
  const poison = new Int32Array(2 * bins).fill(-1);
  const count = (got: ArrayLike<number>) => {
    let wrong = got.length === want.length ? 0 : Math.abs(got.length - want.length);
    for (let i = 0; i < Math.min(got.length, want.length); i++) if (got[i] !== want[i]) wrong++;
    return wrong;
  };
  if (rank.backend === "webgpu") {
    const device = rank.device;
    if (device === null) throw new Error(`rank ${rank.rank}: the webgpu backend has no device`);
    const inSplits = rank.tensor(mine, { dtype: "int32" }) as GpuTensor;
    const out = rank.zeros([2, bins], "int32") as GpuTensor;
    const backend = getBackend("webgpu");
    return {
      inSplits, outSplitsOffsets: out,
      poison: () => device.queue.writeBuffer(out.buffer, 0, poison),
      wrong: async () => count(await rank.read(out)),
      close: () => {
        backend.dispose(rank, inSplits);
        backend.dispose(rank, out);
      },
    };
  }
  if (heap === undefined) throw new Error("bench: the split tensors' heap buffer was not set up");
  const inSplits = heap.view(0, [bins], "int32");
  const out = heap.view(bins * 4, [2, bins], "int32");
  inSplits.data.set(mine);
  return {
    inSplits, outSplitsOffsets: out,
    poison: () => out.data.set(poison),
    wrong: async () => count(out.data),
    close: () => {},
  };
}
