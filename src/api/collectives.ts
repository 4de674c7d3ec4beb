/**
 * The collectives for people who do not think in schemas: `rank.allReduce(t)` and friends.
 * Each one is a call of a symm_mem op through the rank's op caller, so it gets the dispatcher's
 * realization (and its `rank.stats`) like any other call; none mutates its input except
 * broadcast, which is in place as torch.distributed.broadcast is.
 */
import { backendOf, getBackend, type RegularTensor, type Tensor } from "../backends/backend.ts";
import type { RankContext } from "../backends/rank-context.ts";
import { checkOptions, describeValue, quote } from "../core/args.ts";
import { OpError } from "../core/errors.ts";
import type { RuntimeName } from "../core/runtime.ts";
import type { GroupRef } from "../heap/symmetric-heap.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import { checkReduction, type ReduceOp } from "../core/reduce-op.ts";
import { chooseAllReduceAlgo, type AllReduceAlgo } from "./tuning.ts";

/** What the collectives need from a rank: an op caller, its context and runtime (for tuning). */
export interface CollectiveCaller {
  call(name: string, ...args: unknown[]): Promise<unknown>;
  readonly rank: RankContext;
  readonly runtime: RuntimeName;
}

/** Options every collective of `Rank` takes. */
export interface CollectiveOptions {
  /** The group, by name or object. Default "world". */
  readonly group?: GroupRef;
}

/** Options of `rank.allReduce`. */
export interface AllReduceOptions extends CollectiveOptions {
  /** How elements are combined. Default "sum". */
  readonly op?: ReduceOp;
  /** "auto" (default) picks by size from the tuning table (src/api/tuning.ts). */
  readonly algo?: "auto" | AllReduceAlgo;
}

/** Options of `rank.reduceScatter` (always a sum). */
export interface ReduceScatterOptions extends CollectiveOptions {
  /** Scatter the last dim (every row's r-th chunk) instead of the flattened tensor. Default false. */
  readonly splitLastDim?: boolean;
}

/** Options of `rank.broadcast`. */
export interface BroadcastOptions extends CollectiveOptions {
  /** Group rank whose tensor everyone gets. Default 0. */
  readonly root?: number;
}

const ALGOS: readonly string[] = ["auto", "one_shot", "two_shot", "host"];

/** A new regular tensor on the backend `t` lives on (the rank's own for a symmetric `t`). */
function newLike(c: CollectiveCaller, t: Tensor, shape: readonly number[]): RegularTensor {
  const backend = t instanceof SymmetricTensor ? c.rank.backend : t.backend;
  return getBackend(backend).createTensor(c.rank, shape, t.dtype);
}

function groupOf(c: CollectiveCaller, opts: CollectiveOptions) {
  return c.rank.symm.group(opts.group ?? "world");
}

/**
 * The tensor and options of collective `what`, checked: a tensor (regular, of a registered
 * backend, or a live symmetric one) and an options object or nothing. Else an OpError.
 */
export function checkCollectiveArgs<O extends CollectiveOptions>(what: string, t: unknown, opts: O | undefined): O {
  if (t instanceof SymmetricTensor) {
    t.assertLive(`${what}: argument "input"`); // SymmetricMemoryError, as on every path that meets a freed tensor
    if (!t.isContiguous) {
      throw new OpError(`${what}: argument "input" expected a contiguous tensor, found a strided view (shape ` +
        `[${t.shape.join(", ")}], strides [${t.strides.join(", ")}]); only tile_reduce and multi_root_tile_reduce take one`);
    }
  } else if (backendOf(t) === undefined) {
    throw new OpError(`${what}: argument "input" expected a tensor (rank.tensor, rank.zeros or symm.empty), found ${describeValue(t)}`);
  }
  return checkOptions(opts, what, OpError);
}

/** The reduction of `t` over the group, as a new tensor; `t` is not modified. */
export async function allReduce(c: CollectiveCaller, t: Tensor, opts: AllReduceOptions = {}): Promise<RegularTensor> {
  opts = checkCollectiveArgs("allReduce", t, opts);
  const group = groupOf(c, opts);
  const op = opts.op ?? "sum";
  checkReduction("allReduce", op, t.dtype);
  const algo = opts.algo ?? "auto";
  if (!ALGOS.includes(algo)) {
    throw new OpError(`allReduce: option "algo" expected one of "auto", "one_shot", "two_shot", "host", found ${quote(algo)}`);
  }
  const backend = t instanceof SymmetricTensor ? c.rank.backend : t.backend;
  const chosen = algo === "auto" ? chooseAllReduceAlgo(backend, t.nbytes, group.size, c.runtime) : algo;
  if (chosen === "host") {
    // The host pipeline works in place: run it on a copy so `t` keeps its values.
    const out = newLike(c, t, t.shape);
    if (t instanceof SymmetricTensor) await getBackend(out.backend).fromHeap(c.rank, t, out);
    else getBackend(t.backend).copy(c.rank, t, out);
    return (await c.call("webshmem::host_all_reduce_", out, op, group.name)) as RegularTensor;
  }
  if (chosen === "one_shot") {
    return (await c.call("symm_mem::one_shot_all_reduce", t, op, group.name)) as RegularTensor;
  }
  // The out-of-place variant, so `t` keeps its values.
  const out = newLike(c, t, t.shape);
  return (await c.call("symm_mem::two_shot_all_reduce_out", t, op, group.name, out)) as RegularTensor;
}

/**
 * Sum reduce-scatter: rank r gets part r of the sum. The result's shape divides the first dim
 * by the group size when it can (the last dim with splitLastDim), else it is flat.
 */
export async function reduceScatter(c: CollectiveCaller, t: Tensor, opts: ReduceScatterOptions = {}): Promise<RegularTensor> {
  opts = checkCollectiveArgs("reduceScatter", t, opts);
  const group = groupOf(c, opts);
  const split = opts.splitLastDim ?? false;
  if (typeof split !== "boolean") {
    throw new OpError(`reduceScatter: option "splitLastDim" expected a boolean, found ${describeValue(split)}`);
  }
  const w = group.size;
  const s = t.shape;
  // Non-divisible sizes get the kernel's "divisible" error, so the floor here never matters.
  let shape: number[];
  if (split) shape = s.length === 0 ? [] : [...s.slice(0, -1), Math.floor(s[s.length - 1] / w)];
  else if (s.length > 0 && s[0] % w === 0) shape = [s[0] / w, ...s.slice(1)];
  else shape = [Math.floor(t.numel / w)];
  const out = newLike(c, t, shape);
  return (await c.call("symm_mem::reduce_scatter_out", t, group.name, split, out)) as RegularTensor;
}

/** Every rank's `t`, stacked along the first dim in rank order, as a new tensor. */
export async function allGather(c: CollectiveCaller, t: Tensor, opts: CollectiveOptions = {}): Promise<RegularTensor> {
  opts = checkCollectiveArgs("allGather", t, opts);
  const group = groupOf(c, opts);
  const shape = t.shape.length === 0 ? [group.size] : [t.shape[0] * group.size, ...t.shape.slice(1)];
  const out = newLike(c, t, shape);
  return (await c.call("symm_mem::multimem_all_gather_out", t, group.name, out)) as RegularTensor;
}

/** Copies the root's `t` into every other rank's `t`, in place; returns `t`. */
export async function broadcast<T extends Tensor>(c: CollectiveCaller, t: T, opts: BroadcastOptions = {}): Promise<T> {
  opts = checkCollectiveArgs("broadcast", t, opts);
  const group = groupOf(c, opts);
  return (await c.call("symm_mem::broadcast", t, opts.root ?? 0, group.name)) as T;
}
