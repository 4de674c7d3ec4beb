import { OpError } from "../../core/errors.ts";
import { numelOf } from "../../core/dtype.ts";
import { HostReducer, type ReductionEngine } from "../../core/host-reducer.ts";
import type { HeapRegion, ReduceJob, Reducer } from "../../core/reducer.ts";
import { CpuTensor } from "./cpu-tensor.ts";

/** The cpu backend's Reducer: the host reducer's arithmetic, results as CpuTensors. */
export class CpuReducer implements Reducer {
  private readonly host: HostReducer;

  /** `engine: "js"` keeps the JS loops everywhere (for benchmarks and tests of both paths). */
  constructor(options: { readonly engine?: ReductionEngine } = {}) {
    this.host = new HostReducer(options);
  }

  get engine(): ReductionEngine {
    return this.host.engine;
  }

  reduceToHeap(job: ReduceJob, dst: HeapRegion): Promise<void> {
    return this.host.reduceToHeap(job, dst);
  }

  async reduceToHeaps(job: ReduceJob, dsts: readonly HeapRegion[]): Promise<void> {
    this.host.reduceToHeapsSync(job, dsts);
  }

  reduceToHeapsSync(job: ReduceJob, dsts: readonly HeapRegion[]): void {
    this.host.reduceToHeapsSync(job, dsts);
  }

  async reduceToTensor(job: ReduceJob, shape: readonly number[]): Promise<CpuTensor> {
    if (numelOf(shape) !== job.count) {
      throw new OpError(`cpu reducer: shape [${shape.join(", ")}] does not hold the ${job.count} reduced elements`);
    }
    return new CpuTensor(job.dtype, [...shape], this.host.reduceToArray(job));
  }
}

/** One per realm: the reducer holds no per-rank state. */
export const cpuReducer = new CpuReducer();
