/**
 * Which op each row calls, out-of-place and in-place, and why a placement is N/A.
 *
 * In-place uses the op's in-place variant where one exists (two_shot_all_reduce_,
 * multimem_all_reduce_, host_all_reduce_, broadcast). Where none exists, the `_out` variant runs
 * into the input's own tensor only when that is allowed: for regular (webgpu) tensors the
 * dispatcher realizes `input` and `out` into separate workspace slots, so `_out(x, out = x)` is
 * accepted (x is read back twice); symmetric (cpu) tensors that alias are refused by the kernels'
 * disjointness check, so the column is N/A. reduce_scatter and all_gather in place would need the
 * output to be a slice of the input (nccl-tests' layout): refused on the heap, not expressible
 * with GPU tensors: N/A. The all-to-alls have no in-place form (nccl-tests runs one but checks
 * nothing in it); out = input is refused on the heap and meaningless for the uneven splits: N/A.
 */
import type { BenchBackend, BenchOp } from "./flags.ts";

/** Where a call's result is, for the check. */
export type ResultAt = "returned" | "out" | "input";

/** One placement's call, as the rank module runs it. */
export interface CallPlan {
  /** Qualified op name. */
  readonly opName: string;
  readonly resultAt: ResultAt;
  /** `out` is the input tensor itself (an `_out` variant run in place). */
  readonly outIsInput: boolean;
  /** A line for the table's header comment. */
  readonly describe: string;
}

export interface NotAvailable {
  readonly na: string;
}

export type Placement = CallPlan | NotAvailable;

export function isPlan(p: Placement): p is CallPlan {
  return (p as CallPlan).opName !== undefined;
}

export const HOST_IN_PLACE = "webshmem::host_all_reduce_";
/** The all-to-all ops the benchmark calls. */
export const ALL_TO_ALL = "symm_mem::all_to_all";
export const ALL_TO_ALL_VDEV_2D = "symm_mem::all_to_all_vdev_2d";
/** The fused async-TP ops and the ops of their unfused decomposition (fused.ts). */
export const FUSED_AG = "symm_mem::fused_all_gather_matmul";
export const FUSED_RS = "symm_mem::fused_matmul_reduce_scatter";
/** Out-of-place forms of the host op, tried in this order. */
export const HOST_OUT_OF_PLACE = ["webshmem::host_all_reduce_out", "webshmem::host_all_reduce"] as const;

/** Every op name a run may need to know exists (asked of a rank, where the ops are registered). */
export const OPTIONAL_OPS: readonly string[] = [HOST_IN_PLACE, ...HOST_OUT_OF_PLACE, ALL_TO_ALL, ALL_TO_ALL_VDEV_2D];

function plan(opName: string, resultAt: ResultAt, outIsInput = false): CallPlan {
  const call = resultAt === "returned" ? `${opName}(x) → new tensor`
    : resultAt === "input" ? `${opName}(x)`
    : outIsInput ? `${opName}(x, out = x)  (no in-place variant; x is realized into both the input and the out slot)`
    : `${opName}(x, out)`;
  return { opName, resultAt, outIsInput, describe: call };
}

function fused(opName: string, describe: string): CallPlan {
  return { opName, resultAt: "returned", outIsInput: false, describe };
}

/** The two placements of all_reduce with algorithm `algo` (already resolved from auto). */
function allReduce(algo: string, backend: BenchBackend, defined: ReadonlySet<string>): [Placement, Placement] {
  const regular = backend !== "cpu";
  switch (algo) {
    case "one_shot":
      return [
        plan("symm_mem::one_shot_all_reduce", "returned"),
        regular
          ? plan("symm_mem::one_shot_all_reduce_out", "out", true)
          : { na: "one_shot has no in-place variant, and its _out variant refuses out = input on the heap" },
      ];
    case "two_shot":
      return [plan("symm_mem::two_shot_all_reduce_out", "out"), plan("symm_mem::two_shot_all_reduce_", "input")];
    case "multimem":
      return [plan("symm_mem::multimem_one_shot_all_reduce", "returned"), plan("symm_mem::multimem_all_reduce_", "input")];
    case "host": {
      const outName = HOST_OUT_OF_PLACE.find((n) => defined.has(n));
      const out: Placement = outName === undefined
        ? { na: `the host algorithm has no out-of-place op (${HOST_OUT_OF_PLACE.join(" / ")} not defined)` }
        : plan(outName, outName.endsWith("_out") ? "out" : "returned");
      return [out, plan(HOST_IN_PLACE, "input")];
    }
    default:
      throw new Error(`all_reduce: no algorithm "${algo}" in the benchmark (known: one_shot, two_shot, multimem, host)`);
  }
}

/** [out-of-place, in-place] for one row. */
export function placements(op: BenchOp, algo: string, backend: BenchBackend, defined: ReadonlySet<string>): [Placement, Placement] {
  switch (op) {
    case "all_reduce":
      return allReduce(algo, backend, defined);
    case "reduce_scatter":
      return [plan("symm_mem::reduce_scatter_out", "out"), { na: "in place, the output would be a slice of the input" }];
    case "all_gather":
      return [plan("symm_mem::multimem_all_gather_out", "out"), { na: "in place, the input would be a slice of the output" }];
    case "broadcast":
      return [{ na: "broadcast is in place only" }, plan("symm_mem::broadcast", "input")];
    case "all_to_all":
      return [plan(ALL_TO_ALL, "out"), { na: "all_to_all has no in-place variant (out must not alias input)" }];
    case "all_to_all_vdev_2d":
      return [plan(ALL_TO_ALL_VDEV_2D, "out"), { na: "all_to_all_vdev_2d has no in-place variant (out must not alias input)" }];
    case "fused_all_gather_matmul":
      return [fused(FUSED_AG, `${FUSED_AG}(A, [B], gather_dim = 0, return_A = True) → (A gathered, [A gathered @ B])`),
        { na: "the fused ops have no in-place form" }];
    case "fused_matmul_reduce_scatter":
      return [fused(FUSED_RS, `${FUSED_RS}(A, B, "sum", scatter_dim = 0) → this rank's rows of the sum of every A @ B`),
        { na: "the fused ops have no in-place form" }];
  }
}

/** Whether a plan needs a separate output tensor. */
export function needsOut(p: CallPlan): boolean {
  return p.resultAt === "out" && !p.outIsInput;
}
