/**
 * The memory plan: every home is live from its definition (the producer's position, -1 for a
 * step input) to its last use (the step's end for a returned value or a mutated input copied back
 * at the end). Homes whose lifetimes do not overlap share heap regions; each region is 256-byte
 * aligned (WebGPU's minStorageBufferOffsetAlignment, the heap's alignment). First fit in order of
 * definition: deterministic, so every rank that traced the same graph gets the same layout.
 * Regions are reused only after the last op that used them has completed on this rank, and every
 * collective ends with a synchronisation, so no peer still reads a region that is reused: the
 * same contract as the dispatcher's reused workspace.
 */
import { heapBlockBytes } from "../heap/allocator.ts";

/** A region to place: its bytes and lifetime (inclusive node positions). */
export interface Lifetime {
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
}

/** Byte offsets (one per lifetime, in order) and the total bytes. */
export interface MemoryLayout {
  readonly offsets: readonly number[];
  readonly total: number;
}

/** Places `lifetimes` (of one group's heap) with region reuse; see the module comment. */
export function layoutLifetimes(lifetimes: readonly Lifetime[]): MemoryLayout {
  const order = lifetimes.map((_, i) => i).sort((a, b) => lifetimes[a].start - lifetimes[b].start || a - b);
  const offsets = new Array<number>(lifetimes.length).fill(0);
  const placed: number[] = [];
  let total = 0;
  for (const i of order) {
    const me = lifetimes[i];
    const size = heapBlockBytes(me.bytes);
    const busy = placed
      .filter((j) => lifetimes[j].start <= me.end && me.start <= lifetimes[j].end)
      .map((j) => [offsets[j], offsets[j] + heapBlockBytes(lifetimes[j].bytes)] as const)
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [lo, hi] of busy) {
      if (at + size <= lo) break;
      at = Math.max(at, hi);
    }
    offsets[i] = at;
    placed.push(i);
    total = Math.max(total, at + size);
  }
  return { offsets, total };
}
