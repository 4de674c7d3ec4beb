/**
 * Where the time of one pipelined host all-reduce went, on this rank (ms from its start): the op
 * emits it as an event of kind "trace" when someone listens (`rank.onEvent`), for a benchmark's
 * breakdown. Chunk k's readback landed at staged[k], this rank's slice of it was reduced at
 * reduced[k], every slice of it was uploaded at uploaded[k].
 */
export interface HostAllReduceTrace {
  /** performance.timeOrigin + performance.now() at the call's start: aligns ranks' traces. */
  origin: number;
  /** The workspace was ready and the start barrier passed. */
  started: number;
  /** Per chunk: when it had been read back into this rank's in-slot, published in chunk order (ms). */
  staged: number[];
  /** Per chunk: when this rank had reduced its slice of it (ms). */
  reduced: number[];
  /** Per chunk: when this rank had written every slice of it back into its tensor (ms). */
  uploaded: number[];
  /** How late each wait that had to sleep woke up after the peer published (ms), sorted. */
  wakeDelays: number[];
  /** Milliseconds spent in the reduction itself. */
  reduceMs: number;
  /** Milliseconds spent in the uploads' writes: the endpoint's write and flush calls (writeBuffer on webgpu). */
  writeMs: number;
  /** The call's end: every chunk read back, reduced and uploaded (ms). */
  end: number;
}

export const HOST_TRACE_EVENT = "trace";

export function newTrace(t0: number): HostAllReduceTrace {
  return {
    origin: performance.timeOrigin + t0, started: 0, staged: [], reduced: [], uploaded: [],
    wakeDelays: [], reduceMs: 0, writeMs: 0, end: 0,
  };
}
