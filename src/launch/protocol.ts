import type { BrokenGroup, RecoveryState } from "../dispatch/dispatcher.ts";
import type { ControlLayout } from "../heap/control.ts";
import type { AdapterSummary } from "../rank/device.ts";
import type { BackendName } from "../rank/rank.ts";

/** A message a rank worker sends outside comlink: it has exposed its service. */
export const READY_MESSAGE = "webshmem:rank-ready";
/**
 * A message a rank worker sends outside comlink: it is closing itself (`self.close()`). Deno and
 * Chromium tell the main thread nothing when a worker closes itself, so the worker says it first.
 */
export const CLOSING_MESSAGE = "webshmem:rank-closing";

/** Everything a worker needs to become rank `rank`; plain data plus shared buffers. */
export interface RankInit {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: BackendName;
  /** The module to import, absent when the worker was built around its rank functions. */
  readonly rankModule?: string;
  readonly slabs: readonly SharedArrayBuffer[];
  /**
   * The slabs as shared WebAssembly.Memory objects, where the launch made them so (direct-wasm.ts):
   * then the worker uses their buffers as its slabs (the same memory as `slabs`, but the objects
   * the direct kernels know), and `slabs` only where this is absent.
   */
  readonly memories?: readonly WebAssembly.Memory[];
  /** Bytes of each slab the heap uses (a memory is whole 64 KiB pages, so it may be longer). */
  readonly heapBytes: number;
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly timeoutMs: number;
}

/** What a rank's `run` answers: the rank function's value, and whether a collective failed on the rank meanwhile. */
export interface RunOutcome {
  readonly value: unknown;
  /** `rank.hadFailures` after the function returned: the world then runs a recovery. */
  readonly hadFailures: boolean;
}

/** The API each rank worker exposes to the main thread over comlink. */
export interface RankApi {
  /** Makes the heap and acquires the device (webgpu). */
  init(init: RankInit): Promise<AdapterSummary>;
  /** After `init`: imports the rank module (the launch bounds this by its timeoutMs) and makes the Rank. */
  load(): Promise<void>;
  run(fnName: string, args: unknown[]): Promise<RunOutcome>;
  /** After a failed run: `rank.recover()`. */
  recover(): Promise<RecoveryState>;
  /** After a recovery that found groups apart: `rank.markBroken(groups)`. */
  markBroken(groups: readonly BrokenGroup[]): Promise<void>;
  shutdown(): Promise<void>;
}
