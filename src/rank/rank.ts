import type { SymmetricHeap } from "../heap/symmetric-heap.ts";
import type { RuntimeName } from "../runtime.ts";
import type { AdapterSummary } from "./device.ts";

export type BackendName = "webgpu" | "cpu";

/** What a rank function receives first: everything one rank owns. */
export class Rank {
  constructor(
    readonly rank: number,
    readonly worldSize: number,
    readonly runtime: RuntimeName,
    readonly backend: BackendName,
    /** The rank's own device (webgpu backend), or null (cpu backend). */
    readonly device: GPUDevice | null,
    readonly adapter: AdapterSummary,
    readonly symm: SymmetricHeap,
  ) {}
}
