/**
 * The built-in `symm_mem` operator set, defined through the same public Library API a downstream
 * package uses. Schemas are PyTorch's, spelled exactly (docs/ops.md); the registered lists are the
 * arguments PyTorch registers for its compiler (torch/distributed/_symmetric_memory/_register_ops.py):
 * the ones the dispatcher places in the symmetric heap. Each op also gets its meta kernel
 * (src/ops/meta/: output shapes and dtypes without running anything). Kernels are added per
 * backend with `lib.impl` (kernels.ts).
 */
import { Library, type Tag } from "../../library/library.ts";
import { parseSchema } from "../../library/schema-parser.ts";
import { OpError } from "../../core/errors.ts";
import { SYMM_MEM_METAS } from "../meta/symm-mem-meta.ts";

/** One built-in symm_mem op, as `defineSymmMemOps` defines it. */
export interface BuiltinOp {
  /** The schema text, without the namespace (`one_shot_all_reduce(Tensor input, ...) -> Tensor`). */
  readonly schema: string;
  /** The arguments registered as symm-mem (placed in the heap by the dispatcher); empty: none. */
  readonly symmMemArgs: readonly string[];
  /**
   * torch.Tag names, checked at definition: "inplace" where the schema fits Tag.inplace. None
   * of PyTorch's out ops fits Tag.out (their `out` is positional); see docs/schema.md. The fused
   * ops carry PyTorch's "needs_fixed_stride_order".
   */
  readonly tags?: readonly Tag[];
}

/** The namespace of the built-in ops after PyTorch's: `symm_mem::one_shot_all_reduce`. */
export const SYMM_MEM_NAMESPACE = "symm_mem";

/**
 * Every built-in symm_mem op, defined with its meta kernel when this module loads (once per realm;
 * every rank worker loads it). The "cpu" and "webgpu" backends have kernels for all of them
 * (kernels.ts).
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
  { schema: "two_shot_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", symmMemArgs: ["input"], tags: ["inplace"] },
  {
    schema: "two_shot_all_reduce_out(Tensor(a!) input, str reduce_op, str group_name, Tensor(b!) output) -> Tensor(b!)",
    symmMemArgs: ["input", "output"],
  },
  { schema: "multimem_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", symmMemArgs: ["input"], tags: ["inplace"] },
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
  // The exchange-plan pair: PyTorch registers no symm-mem arguments for these
  // (torch/distributed/_symmetric_memory/_register_ops.py); _all_to_all_get's input must be symmetric.
  {
    schema: "_make_a2a_exchange_plan(Tensor in_splits, Tensor(a!) src_offsets, Tensor(a!) out_splits, " +
      "Tensor(a!) dst_offsets, str group_name) -> ()",
    symmMemArgs: [],
  },
  {
    schema: "_all_to_all_get(Tensor input, Tensor(a!) out, Tensor src_offsets, Tensor out_splits, Tensor dst_offsets, " +
      "str group_name, Tensor? b_start, Tensor? b_len, Tensor? b_head) -> ()",
    symmMemArgs: [],
  },
  // Not in PyTorch's symm_mem under this name (PyTorch's is nvshmem_all_to_all ... -> Tensor(a!)):
  // the plain equal-split all-to-all, registered like the other collectives.
  { schema: "all_to_all(Tensor input, Tensor(a!) out, str group_name) -> ()", symmMemArgs: ["input", "out"] },
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
  { schema: "broadcast(Tensor(a!) input, int root, str group_name) -> Tensor(a!)", symmMemArgs: ["input"], tags: ["inplace"] },
  // utilities: PyTorch registers nothing for these
  { schema: "stream_write_value32_(Tensor(a!) input, int offset, int val) -> Tensor(a!)", symmMemArgs: [], tags: ["inplace"] },
  { schema: "memset32_(Tensor(a!) input, int offset, int val, int count) -> Tensor(a!)", symmMemArgs: [], tags: ["inplace"] },
  { schema: "get_remote_tensors(Tensor x, str group_name) -> Tensor[]", symmMemArgs: [] },
  // async tensor parallel (defined in PyTorch's Python, torch/distributed/_symmetric_memory/__init__.py,
  // with Tag.needs_fixed_stride_order): no registered args, they use the group's symm-mem workspace.
  {
    schema: "fused_all_gather_matmul(Tensor A, Tensor[] Bs, int gather_dim, str group_name, *, bool return_A=True) " +
      "-> (Tensor?, Tensor[])",
    symmMemArgs: [],
    tags: ["needs_fixed_stride_order"],
  },
  {
    schema: "fused_matmul_reduce_scatter(Tensor A, Tensor B, str reduce_op, int scatter_dim, str group_name) -> Tensor",
    symmMemArgs: [],
    tags: ["needs_fixed_stride_order"],
  },
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
    // As PyTorch's own C++-defined symm_mem ops: tags checked, no aliasing-return deprecation warning.
    const tags = { ...(op.tags === undefined ? {} : { tags: op.tags }), warnOnAliasingReturn: false };
    lib.define(op.schema, { ...(op.symmMemArgs.length > 0 ? { symmMemArgs: [...op.symmMemArgs] } : {}), meta, ...tags });
  }
  library = lib;
  return lib;
}

defineSymmMemOps();
