import type { ControlLayout } from "../heap/control.ts";
import type { AdapterSummary } from "../rank/device.ts";
import type { BackendName } from "../rank/rank.ts";

/** The one message a rank worker sends outside comlink: it has exposed its service. */
export const READY_MESSAGE = "webshmem:rank-ready";

/** Everything a worker needs to become rank `rank`; plain data plus shared buffers. */
export interface RankInit {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: BackendName;
  /** The module to import, absent when the worker was built around its rank functions. */
  readonly rankModule?: string;
  readonly slabs: readonly SharedArrayBuffer[];
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly timeoutMs: number;
}

/** The API each rank worker exposes to the main thread over comlink. */
export interface RankApi {
  init(init: RankInit): Promise<AdapterSummary>;
  run(fnName: string, args: unknown[]): Promise<unknown>;
  shutdown(): Promise<void>;
}
