/**
 * Meta kernels of the built-in `symm_mem` ops, keyed by op name without namespace (the names of
 * SYMM_MEM_OPS in src/ops/symm_mem/definitions.ts). Each checks what its kernel checks of shapes,
 * dtypes and scalars, in the kernel's order and with its messages, then returns the outputs:
 * a new TensorMeta for a `Tensor` return, the argument itself for an `(a!)` return, undefined
 * for `()`. definitions.ts registers each with its op (`define(schema, { meta })`).
 *
 * The `_out` kernels check `out`'s element count; where their schema promises a shape they also
 * check it (all-reduce: the shape of input). all-gather and reduce-scatter check only the count,
 * so their metas do too; `allGatherOutShape` and `reduceScatterOutShape` give the shapes the
 * high-level API allocates. The all-to-all and tile metas apply PyTorch's checks
 * (torch/csrc/distributed/c10d/symm_mem/nvshmem_extension.cu), with int32 splits and offsets,
 * and every reduce op of docs/ops.md.
 */
import type { MetaKernel } from "../../library/meta.ts";
import {
  allReduceInPlace, oneShotAllReduce, oneShotAllReduceCopy, oneShotAllReduceCopyOut, oneShotAllReduceOut,
  oneShotReduceOut, twoShotAllReduceOut,
} from "./all-reduce-meta.ts";
import {
  allToAll, allToAllGet, allToAllVdev, allToAllVdev2d, allToAllVdev2dOffset, makeA2aExchangePlan,
} from "./all-to-all-meta.ts";
import { fusedAllGatherMatmul, fusedMatmulReduceScatter } from "./fused-meta.ts";
import { allGatherOut, reduceScatterOut } from "./gather-scatter-meta.ts";
import { multiRootTileReduce, tileReduce } from "./tile-meta.ts";
import { broadcast, getRemoteTensors, memset32, streamWriteValue32 } from "./utility-meta.ts";

export { allGatherOutShape, reduceScatterCount, reduceScatterOutShape } from "./gather-scatter-meta.ts";

/** Op name (without `symm_mem::`) → meta kernel; one entry per op of SYMM_MEM_OPS. */
export const SYMM_MEM_METAS: Readonly<Record<string, MetaKernel>> = Object.freeze({
  one_shot_all_reduce: oneShotAllReduce,
  one_shot_all_reduce_out: oneShotAllReduceOut,
  one_shot_all_reduce_copy: oneShotAllReduceCopy,
  one_shot_all_reduce_copy_out: oneShotAllReduceCopyOut,
  two_shot_all_reduce_: allReduceInPlace,
  two_shot_all_reduce_out: twoShotAllReduceOut,
  multimem_all_reduce_: allReduceInPlace,
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
});
