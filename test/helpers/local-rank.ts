import { cpuAdapterSummary } from "../../src/rank/device.ts";
import { controlLayout, createControlBuffer } from "../../src/heap/control.ts";
import { SymmetricHeap } from "../../src/heap/symmetric-heap.ts";
import { Rank } from "../../src/rank/rank.ts";
import "../../src/rank/builtin-backends.ts";

/** A one-rank world in this thread: enough for the dispatcher's checks, no workers. */
export function localRank(heapBytes = 1 << 16): Rank {
  const layout = controlLayout(1, 32);
  const symm = new SymmetricHeap({
    rank: 0, worldSize: 1, slabs: [new SharedArrayBuffer(heapBytes)], control: createControlBuffer(layout),
    layout, timeoutMs: 1000,
  });
  return new Rank(0, 1, "node", "cpu", null, cpuAdapterSummary(), symm);
}
