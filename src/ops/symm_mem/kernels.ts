/**
 * The kernels of the built-in symm_mem ops, registered through the public Library API for the
 * "cpu" and "webgpu" backends alike: the algorithms (this folder) are backend-neutral and
 * take their arithmetic from `ctx.backend.reducer(ctx.rank)`. A backend plugin gets them all with
 * `registerBuiltinKernels(name)` (src/ops/builtin-kernels.ts), and they work if its contract does.
 */
import { allGatherOut } from "./all-gather.ts";
import {
  oneShotAllReduce, oneShotAllReduceCopy, oneShotAllReduceCopyOut, oneShotAllReduceOut, oneShotReduceOut,
  twoShotAllReduceInPlace, twoShotAllReduceOut,
} from "./all-reduce.ts";
import { allToAll } from "./all-to-all.ts";
import { allToAllGet, makeA2aExchangePlan } from "./all-to-all-plan.ts";
import { allToAllVdev, allToAllVdev2d, allToAllVdev2dOffset } from "./all-to-all-vdev.ts";
import { broadcast } from "./broadcast.ts";
import { fusedAllGatherMatmul } from "./fused-all-gather-matmul.ts";
import { fusedMatmulReduceScatter } from "./fused-matmul-reduce-scatter.ts";
import { reduceScatterOut } from "./reduce-scatter.ts";
import { getRemoteTensors } from "./remote-tensors.ts";
import { multiRootTileReduce, tileReduce } from "./tile-reduce.ts";
import { memset32, streamWriteValue32 } from "./write-value32.ts";
import type { OpContext } from "../../backends/context.ts";
import { Library, type Kernel } from "../../library/library.ts";
import { SYMM_MEM_NAMESPACE } from "./definitions.ts";

/**
 * Op name → kernel; the multimem ops are emulated by the algorithm with the same traffic. The
 * fused ops also need the backend's matmul capability (Backend.matmul); without it they refuse
 * with an OpError naming the backend.
 */
export const SYMM_MEM_KERNELS: Readonly<Record<string, Kernel<OpContext>>> = {
  one_shot_all_reduce: oneShotAllReduce,
  one_shot_all_reduce_out: oneShotAllReduceOut,
  one_shot_all_reduce_copy: oneShotAllReduceCopy,
  one_shot_all_reduce_copy_out: oneShotAllReduceCopyOut,
  two_shot_all_reduce_: twoShotAllReduceInPlace,
  two_shot_all_reduce_out: twoShotAllReduceOut,
  multimem_all_reduce_: twoShotAllReduceInPlace,
  multimem_one_shot_all_reduce: oneShotAllReduce,
  multimem_one_shot_all_reduce_out: oneShotAllReduceOut,
  multimem_one_shot_reduce_out: oneShotReduceOut,
  multimem_all_gather_out: allGatherOut,
  reduce_scatter_out: reduceScatterOut,
  all_to_all_vdev: allToAllVdev,
  all_to_all_vdev_2d: allToAllVdev2d,
  all_to_all_vdev_2d_offset: allToAllVdev2dOffset,
  _make_a2a_exchange_plan: makeA2aExchangePlan,
  _all_to_all_get: allToAllGet,
  all_to_all: allToAll,
  tile_reduce: tileReduce,
  multi_root_tile_reduce: multiRootTileReduce,
  broadcast,
  get_remote_tensors: getRemoteTensors,
  stream_write_value32_: streamWriteValue32,
  memset32_: memset32,
  fused_all_gather_matmul: fusedAllGatherMatmul,
  fused_matmul_reduce_scatter: fusedMatmulReduceScatter,
};

export const SYMM_MEM_KERNEL_BACKENDS: readonly string[] = ["cpu", "webgpu"];

let library: Library | undefined;

/** Registers the kernels once per JavaScript realm (each rank worker has its own op table). */
export function registerSymmMemKernels(): Library {
  if (library !== undefined) return library;
  const lib = new Library(SYMM_MEM_NAMESPACE, "IMPL");
  for (const [name, kernel] of Object.entries(SYMM_MEM_KERNELS)) {
    for (const backend of SYMM_MEM_KERNEL_BACKENDS) lib.impl(name, kernel, backend);
  }
  library = lib;
  return lib;
}

registerSymmMemKernels();
