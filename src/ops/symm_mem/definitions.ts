/**
 * The built-in `symm_mem` operator set, defined through the same public Library API a downstream
 * package uses. Schemas are PyTorch's, spelled exactly (docs/ops.md); the registered lists are the
 * arguments PyTorch registers for its compiler (torch/distributed/_symmetric_memory/_register_ops.py):
 * the ones the dispatcher places in the symmetric heap. Each op also gets its meta kernel
 * (src/ops/meta/: output shapes and dtypes without running anything). Kernels are added per
 * backend with `lib.impl` (kernels.ts).
 */
import { Library } from "../../library/library.ts";
import { parseSchema } from "../../library/schema-parser.ts";
import { OpError } from "../../core/errors.ts";
import { SYMM_MEM_METAS } from "../meta/symm-mem-meta.ts";

/** One built-in symm_mem op, as `defineSymmMemOps` defines it. */
export interface BuiltinOp {
  /** The schema text, without the namespace (`one_shot_all_reduce(Tensor input, ...) -> Tensor`). */
  readonly schema: string;
  /** The arguments registered as symm-mem (placed in the heap by the dispatcher); empty: none. */
  readonly symmMemArgs: readonly string[];
}

/** The namespace of the built-in ops after PyTorch's: `symm_mem::one_shot_all_reduce`. */
export const SYMM_MEM_NAMESPACE = "symm_mem";

/**
 * Every built-in symm_mem op, defined with its meta kernel when this module loads (once per realm;
 * every rank worker loads it). The "cpu" and "webgpu" backends have kernels for all but
 * all_to_all_vdev, all_to_all_vdev_2d, all_to_all_vdev_2d_offset, tile_reduce and
 * multi_root_tile_reduce.
 */
export const SYMM_MEM_OPS: readonly BuiltinOp[] = [
  // all-reduce family
  { schema: "one_shot_all_reduce(Tensor input, str reduce_op, str group_name) -> Tensor", symmMemArgs: ["input"] },
  {
    schema: "one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
    symmMemArgs: ["input", "out"],
  },
  {
    schema: "one_shot_all_reduce_copy(Tensor symm_buffer, Tensor local_input, str reduce_op, str group_name) -> Tensor",
    symmMemArgs: ["symm_buffer", "local_input"],
  },
  {
    schema: "one_shot_all_reduce_copy_out(Tensor symm_buffer, Tensor local_input, str reduce_op, str group_name, " +
      "Tensor(a!) out) -> Tensor(a!)",
    symmMemArgs: ["symm_buffer", "local_input", "out"],
  },
  { schema: "two_shot_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", symmMemArgs: ["input"] },
  {
    schema: "two_shot_all_reduce_out(Tensor(a!) input, str reduce_op, str group_name, Tensor(b!) output) -> Tensor(b!)",
    symmMemArgs: ["input", "output"],
  },
  { schema: "multimem_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", symmMemArgs: ["input"] },
  { schema: "multimem_one_shot_all_reduce(Tensor input, str reduce_op, str group_name) -> Tensor", symmMemArgs: ["input"] },
  {
    schema: "multimem_one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
    symmMemArgs: ["input", "out"],
  },
  {
    schema: "multimem_one_shot_reduce_out(Tensor input, str reduce_op, int root, str group_name, Tensor(a!) out) " +
      "-> Tensor(a!)",
    symmMemArgs: ["input", "out"],
  },
  // gather / scatter / all-to-all
  { schema: "multimem_all_gather_out(Tensor input, str group_name, Tensor(a!) out) -> Tensor(a!)", symmMemArgs: ["input", "out"] },
  {
    schema: "reduce_scatter_out(Tensor(a!) input, str group_name, bool split_last_dim, Tensor(b!) output) -> Tensor(b!)",
    symmMemArgs: ["input", "output"],
  },
  {
    schema: "all_to_all_vdev(Tensor input, Tensor(a!) out, Tensor in_splits, Tensor(a!) out_splits_offsets, " +
      "str group_name) -> ()",
    symmMemArgs: ["input", "out"],
  },
  {
    schema: "all_to_all_vdev_2d(Tensor input, Tensor(a!) out, Tensor in_splits, Tensor(a!) out_splits_offsets, " +
      "str group_name, int? major_align=None) -> ()",
    symmMemArgs: ["input", "out"],
  },
  {
    schema: "all_to_all_vdev_2d_offset(Tensor input, Tensor(a!) out, Tensor in_splits_offsets, " +
      "Tensor(a!) out_splits_offsets, str group_name) -> ()",
    symmMemArgs: ["input", "out"],
  },
  {
    schema: "tile_reduce(Tensor in_tile, Tensor(a!) out_tile, int root, str group_name, str reduce_op='sum') -> ()",
    symmMemArgs: ["in_tile", "out_tile"],
  },
  {
    schema: "multi_root_tile_reduce(Tensor[] in_tiles, Tensor(a!) out_tile, int[] roots, str group_name, " +
      "str reduce_op='sum') -> ()",
    symmMemArgs: ["in_tiles", "out_tile"],
  },
  // Not in PyTorch's symm_mem: docs/ops.md asks for it; registered like the other collectives.
  { schema: "broadcast(Tensor(a!) input, int root, str group_name) -> Tensor(a!)", symmMemArgs: ["input"] },
  // utilities: PyTorch registers nothing for these
  { schema: "stream_write_value32_(Tensor(a!) input, int offset, int val) -> Tensor(a!)", symmMemArgs: [] },
  { schema: "memset32_(Tensor(a!) input, int offset, int val, int count) -> Tensor(a!)", symmMemArgs: [] },
  { schema: "get_remote_tensors(Tensor x, str group_name) -> Tensor[]", symmMemArgs: [] },
];

let library: Library | undefined;

/** Defines the symm_mem ops once per JavaScript realm (each rank worker has its own table). */
export function defineSymmMemOps(): Library {
  if (library !== undefined) return library;
  const lib = new Library(SYMM_MEM_NAMESPACE, "DEF");
  for (const op of SYMM_MEM_OPS) {
    const name = parseSchema(op.schema).name;
    const meta = SYMM_MEM_METAS[name];
    if (meta === undefined) throw new OpError(`symm_mem::${name} has no meta kernel (src/ops/meta/symm-mem-meta.ts)`);
    lib.define(op.schema, { ...(op.symmMemArgs.length > 0 ? { symmMemArgs: [...op.symmMemArgs] } : {}), meta });
  }
  library = lib;
  return lib;
}

defineSymmMemOps();
