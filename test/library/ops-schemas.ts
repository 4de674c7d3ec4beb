/**
 * Schemas from docs/ops.md, exact text with `symm_mem::` prepended, and the
 * arguments PyTorch registers for each (torch/distributed/_symmetric_memory/_register_ops.py); plus PyTorch-style `aten::` schemas exercising the rest
 * of the syntax.
 */

export interface SymmMemOpFixture {
  readonly schema: string;
  readonly registered: readonly string[];
}

export const SYMM_MEM_OPS: readonly SymmMemOpFixture[] = [
  { schema: "one_shot_all_reduce(Tensor input, str reduce_op, str group_name) -> Tensor", registered: ["input"] },
  {
    schema: "one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
    registered: ["input", "out"],
  },
  {
    schema: "one_shot_all_reduce_copy(Tensor symm_buffer, Tensor local_input, str reduce_op, str group_name) -> Tensor",
    registered: ["symm_buffer", "local_input"],
  },
  {
    schema:
      "one_shot_all_reduce_copy_out(Tensor symm_buffer, Tensor local_input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
    registered: ["symm_buffer", "local_input", "out"],
  },
  { schema: "two_shot_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", registered: ["input"] },
  {
    schema: "two_shot_all_reduce_out(Tensor(a!) input, str reduce_op, str group_name, Tensor(b!) output) -> Tensor(b!)",
    registered: ["input", "output"],
  },
  { schema: "multimem_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)", registered: ["input"] },
  { schema: "multimem_one_shot_all_reduce(Tensor input, str reduce_op, str group_name) -> Tensor", registered: ["input"] },
  {
    schema: "multimem_one_shot_all_reduce_out(Tensor input, str reduce_op, str group_name, Tensor(a!) out) -> Tensor(a!)",
    registered: ["input", "out"],
  },
  {
    schema:
      "multimem_one_shot_reduce_out(Tensor input, str reduce_op, int root, str group_name, Tensor(a!) out) -> Tensor(a!)",
    registered: ["input", "out"],
  },
  {
    schema: "multimem_all_gather_out(Tensor input, str group_name, Tensor(a!) out) -> Tensor(a!)",
    registered: ["input", "out"],
  },
  {
    schema: "reduce_scatter_out(Tensor(a!) input, str group_name, bool split_last_dim, Tensor(b!) output) -> Tensor(b!)",
    registered: ["input", "output"],
  },
  {
    schema:
      "all_to_all_vdev(Tensor input, Tensor(a!) out, Tensor in_splits, Tensor(a!) out_splits_offsets, str group_name) -> ()",
    registered: ["input", "out"],
  },
  {
    schema:
      "all_to_all_vdev_2d(Tensor input, Tensor(a!) out, Tensor in_splits, Tensor(a!) out_splits_offsets, str group_name, int? major_align=None) -> ()",
    registered: ["input", "out"],
  },
  {
    schema:
      "all_to_all_vdev_2d_offset(Tensor input, Tensor(a!) out, Tensor in_splits_offsets, Tensor(a!) out_splits_offsets, str group_name) -> ()",
    registered: ["input", "out"],
  },
  // The exchange-plan pair: PyTorch registers nothing for these.
  {
    schema:
      "_make_a2a_exchange_plan(Tensor in_splits, Tensor(a!) src_offsets, Tensor(a!) out_splits, Tensor(a!) dst_offsets, str group_name) -> ()",
    registered: [],
  },
  {
    schema:
      "_all_to_all_get(Tensor input, Tensor(a!) out, Tensor src_offsets, Tensor out_splits, Tensor dst_offsets, str group_name, Tensor? b_start, Tensor? b_len, Tensor? b_head) -> ()",
    registered: [],
  },
  // Not PyTorch's (its nvshmem_all_to_all returns Tensor(a!)); registered like the other collectives.
  { schema: "all_to_all(Tensor input, Tensor(a!) out, str group_name) -> ()", registered: ["input", "out"] },
  {
    schema: "tile_reduce(Tensor in_tile, Tensor(a!) out_tile, int root, str group_name, str reduce_op='sum') -> ()",
    registered: ["in_tile", "out_tile"],
  },
  {
    schema:
      "multi_root_tile_reduce(Tensor[] in_tiles, Tensor(a!) out_tile, int[] roots, str group_name, str reduce_op='sum') -> ()",
    registered: ["in_tiles", "out_tile"],
  },
  // Not in PyTorch's symm_mem; docs/ops.md asks for it, registered like the other collectives.
  { schema: "broadcast(Tensor(a!) input, int root, str group_name) -> Tensor(a!)", registered: ["input"] },
  // Utilities: PyTorch registers nothing for these.
  { schema: "stream_write_value32_(Tensor(a!) input, int offset, int val) -> Tensor(a!)", registered: [] },
  { schema: "memset32_(Tensor(a!) input, int offset, int val, int count) -> Tensor(a!)", registered: [] },
  { schema: "get_remote_tensors(Tensor x, str group_name) -> Tensor[]", registered: [] },
  // async tensor parallel: PyTorch registers no symm-mem args for these (they use the group's workspace)
  {
    schema: "fused_all_gather_matmul(Tensor A, Tensor[] Bs, int gather_dim, str group_name, *, bool return_A=True) -> (Tensor?, Tensor[])",
    registered: [],
  },
  { schema: "fused_matmul_reduce_scatter(Tensor A, Tensor B, str reduce_op, int scatter_dim, str group_name) -> Tensor", registered: [] },
].map((op) => ({ ...op, schema: `symm_mem::${op.schema}` }));

/** Already in canonical form: `toString()` gives the same text back. */
export const CANONICAL_EXTRAS: readonly string[] = [
  "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
  "aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
  "aten::add.out(Tensor self, Tensor other, *, Scalar alpha=1, Tensor(a!) out) -> Tensor(a!)",
  "aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
  "aten::sum.dim_IntList(Tensor self, int[]? dim, bool keepdim=False, *, int? dtype=None) -> Tensor",
  "aten::unbind.int(Tensor(a) self, int dim=0) -> Tensor(a)[]",
  "aten::_foreach_add_.Scalar(Tensor(a!)[] self, Scalar scalar) -> ()",
  "aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
  "aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
  "aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
  "aten::einsum(str equation, Tensor[] tensors, *, int[]? path=None) -> Tensor",
  "aten::zeros(int[] size, *, int[] strides=[], bool pin_memory=False) -> Tensor",
  "aten::rand(int[] size, *, float low=-1.5, float high=2.0, float eps=1e-7) -> Tensor",
  "aten::topk(Tensor self, int k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)",
  "aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor, Tensor)",
  "aten::_ops(int[] xs=[1, -2, 3], float[] fs=[0.5, 2.0], str[] names=['a', 'b']) -> (Tensor a, int b)",
  "aten::item(Tensor self) -> Scalar",
  "aten::is_nonzero(Tensor self) -> bool",
  "aten::size.int(Tensor self, int dim) -> int",
  "mylib::noargs() -> ()",
  "no_namespace(Tensor x) -> Tensor",
  "no_namespace.with_overload(Tensor? x=None) -> Tensor?",
];

/**
 * Valid but with spacing or parentheses that printing normalises: source → printed text. Types
 * (SymInt), quotes and numbers (1e-05, 1E3, -0.0) print as written.
 */
export const NORMALISED_EXTRAS: ReadonlyArray<readonly [string, string]> = [
  [
    "aten::layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> Tensor",
    "aten::layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> Tensor",
  ],
  [
    "aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)",
    "aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)",
  ],
  [
    "aten::gelu(Tensor self, *, str approximate=\"none\") -> Tensor",
    "aten::gelu(Tensor self, *, str approximate=\"none\") -> Tensor",
  ],
  [
    "  aten :: mul . Tensor ( Tensor self ,Tensor other )->( Tensor )  ",
    "aten::mul.Tensor(Tensor self, Tensor other) -> Tensor",
  ],
  [
    "aten::pad( Tensor self , SymInt [ ] pad , str mode = \"constant\" , float ? value = None ) -> Tensor",
    "aten::pad(Tensor self, SymInt[] pad, str mode=\"constant\", float? value=None) -> Tensor",
  ],
  [
    "aten::native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> ( Tensor, Tensor,Tensor )",
    "aten::native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)",
  ],
  [
    "ns::f(float a=1, float b=- 0.0, int c=-0, str d=\"it's\", str e='a\\\\b\\n', int[] l=[1,-2 ,3]) -> ()",
    "ns::f(float a=1, float b=-0.0, int c=-0, str d=\"it's\", str e='a\\\\b\\n', int[] l=[1, -2, 3]) -> ()",
  ],
  [
    "ns::g(Tensor(a!) x, float y=1E3, Scalar z=2.50, *, int k, *, int m=1, *) -> Tensor(a!)",
    "ns::g(Tensor(a!) x, float y=1E3, Scalar z=2.50, *, int k, int m=1) -> Tensor(a!)",
  ],
  [
    "ns::h(Tensor( a ! -> a | b ) x, Tensor ( * ) y, Tensor [ ] ( c ! ) z, int [ 2 ] ? w, Tensor ? [ ] v) -> Tensor junk",
    "ns::h(Tensor(a! -> a|b) x, Tensor(*) y, Tensor[](c!) z, int[2]? w, Tensor?[] v) -> (Tensor junk)",
  ],
];
