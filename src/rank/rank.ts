import { getBackend, type RegularTensor, type Tensor, type TensorData } from "../backends/backend.ts";
import { Dispatcher, type DispatchStats } from "../dispatch/dispatcher.ts";
import { opsProxy, type OpsNamespace } from "../dispatch/ops-proxy.ts";
import { type AnyTypedArray, type DType, checkShape, normalizeDType } from "../heap/dtype.ts";
import type { SymmetricHeap } from "../heap/symmetric-heap.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { RuntimeName } from "../runtime.ts";
import type { AdapterSummary } from "./device.ts";

export type BackendName = "webgpu" | "cpu";

/** What a rank function receives first: everything one rank owns. */
export class Rank {
  /** `rank.ops.symm_mem.one_shot_all_reduce(...)`: every defined operator, by namespace. */
  readonly ops: OpsNamespace;
  private readonly dispatcher: Dispatcher;

  constructor(
    readonly rank: number,
    readonly worldSize: number,
    readonly runtime: RuntimeName,
    readonly backend: BackendName,
    /** The rank's own device (webgpu backend), or null (cpu backend). */
    readonly device: GPUDevice | null,
    readonly adapter: AdapterSummary,
    readonly symm: SymmetricHeap,
  ) {
    this.dispatcher = new Dispatcher(this);
    this.ops = opsProxy((name, args) => this.dispatcher.call(name, args));
  }

  /** Calls an operator by name: `rank.call("symm_mem::one_shot_all_reduce", t, "sum", "world")`. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatcher.call(name, args);
  }

  /** Realizations, copy-backs and workspace allocations the dispatcher made so far. */
  get stats(): Readonly<DispatchStats> {
    return this.dispatcher.stats;
  }

  /** A regular (non-heap) tensor on this rank's backend, from host data. */
  tensor(data: TensorData, opts: { dtype?: DType | string; shape?: readonly number[] } = {}): RegularTensor {
    const dtype = normalizeDType(opts.dtype ?? "float32");
    const shape = opts.shape ?? [data.length];
    checkShape(shape, "rank.tensor");
    return getBackend(this.backend).createTensor(this, shape, dtype, data);
  }

  /** A regular tensor of zeros on this rank's backend. */
  zeros(shape: readonly number[], dtype: DType | string = "float32"): RegularTensor {
    checkShape(shape, "rank.zeros");
    return getBackend(this.backend).createTensor(this, shape, normalizeDType(dtype));
  }

  /** A host copy of any tensor's elements (for a symmetric tensor: this rank's copy). */
  async read(t: Tensor): Promise<AnyTypedArray> {
    if (t instanceof SymmetricTensor) return t.data.slice();
    return getBackend(t.backend).read(this, t);
  }
}
