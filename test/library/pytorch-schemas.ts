/** Schemas of PyTorch's grammar for the grammar and fuzz tests: real ones with their source, and hand-written forms. */

/**
 * [schema, where it is in PyTorch]. "nf" is aten/src/ATen/native/native_functions.yaml (the
 * `- func:` line of that name); "prim" is torch/csrc/jit/runtime/register_prim_ops.cpp;
 * "quantized" is aten/src/ATen/native/quantized/library.cpp.
 */
export const PYTORCH: ReadonlyArray<readonly [string, string]> = [
  // Tensor, alias sets, wildcards and alias annotations on lists
  ["_backward(Tensor self, Tensor[] inputs, Tensor? gradient=None, bool? retain_graph=None, bool create_graph=False) -> ()", "nf _backward"],
  ["set_data(Tensor(a!) self, Tensor new_data) -> ()", "nf set_data"],
  ["requires_grad_(Tensor(a!) self, bool requires_grad=True) -> Tensor(a!)", "nf requires_grad_"],
  ["_unpack_dual(Tensor(a) dual, int level) -> (Tensor(a) primal, Tensor tangent)", "nf _unpack_dual"],
  ["unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]", "nf unbind.int"],
  ["split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]", "nf split.Tensor"],
  ["chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]", "nf chunk"],
  ["index.Tensor(Tensor self, Tensor?[] indices) -> Tensor", "nf index.Tensor"],
  ["index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)", "nf index_put_"],
  ["_foreach_add_.List(Tensor(a!)[] self, Tensor[] other, *, Scalar alpha=1) -> ()", "nf _foreach_add_.List"],
  ["_foreach_add.List_out(Tensor[] self, Tensor[] other, *, Scalar alpha=1, Tensor(a!)[] out) -> ()", "nf _foreach_add.List_out"],
  ["_amp_foreach_non_finite_check_and_unscale_(Tensor(a!)[] self, Tensor(b!) found_inf, Tensor inv_scale) -> ()", "nf _amp_foreach_non_finite_check_and_unscale_"],
  ["max.dim_max(Tensor self, int dim, bool keepdim=False, *, Tensor(a!) max, Tensor(b!) max_values) -> (Tensor(a!) values, Tensor(b!) indices)", "nf max.dim_max"],
  ["abs.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)", "nf abs.out"],
  ["rename_(Tensor(a!) self, Dimname[]? names) -> Tensor(a!)", "nf rename_"],
  ["align_to.ellipsis_idx(Tensor(a) self, Dimname[] order, int ellipsis_idx) -> Tensor(a)", "nf align_to.ellipsis_idx"],
  // fixed-size lists, a single default for them, list defaults
  ["_cudnn_rnn_backward(Tensor input, Tensor[] weight, int weight_stride0, Tensor weight_buf, Tensor hx, Tensor? cx, Tensor output, Tensor? grad_output, Tensor? grad_hy, Tensor? grad_cy, int mode, int hidden_size, int proj_size, int num_layers, bool batch_first, float dropout, bool train, bool bidirectional, int[] batch_sizes, Tensor? dropout_state, Tensor reserve, bool[4] output_mask) -> (Tensor, Tensor, Tensor, Tensor[])", "nf _cudnn_rnn_backward"],
  ["conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=1, SymInt[2] padding=0, SymInt[2] dilation=1, SymInt groups=1) -> Tensor", "nf conv2d"],
  ["conv1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=1, SymInt[1] padding=0, SymInt[1] dilation=1, SymInt groups=1) -> Tensor", "nf conv1d"],
  ["max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=0, int[1] dilation=1, bool ceil_mode=False) -> Tensor", "nf max_pool1d"],
  ["sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", "nf sum.dim_IntList"],
  ["sum.dim_DimnameList(Tensor self, Dimname[1] dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", "nf sum.dim_DimnameList"],
  ["upsample_nearest2d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor", "nf upsample_nearest2d.vec"],
  // the built-in types and identifier defaults
  ["_cudnn_init_dropout_state(float dropout, bool train, int dropout_seed, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=False) -> Tensor", "nf _cudnn_init_dropout_state"],
  ["_fused_dropout(Tensor self, float p, Generator? generator=None) -> (Tensor, Tensor)", "nf _fused_dropout"],
  ["binary_cross_entropy(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean) -> Tensor", "nf binary_cross_entropy"],
  ["cross_entropy_loss(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean, SymInt ignore_index=-100, float label_smoothing=0.0) -> Tensor", "nf cross_entropy_loss"],
  ["layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> Tensor", "nf layer_norm"],
  ["tril_indices(int row, int col, int offset=0, *, ScalarType? dtype=long, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", "nf tril_indices"],
  ["randperm.generator(SymInt n, *, Generator? generator, ScalarType? dtype=long, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor", "nf randperm.generator"],
  ["contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> Tensor(a)", "nf contiguous"],
  ["_to_copy(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, MemoryFormat? memory_format=None) -> Tensor", "nf _to_copy"],
  ["gelu(Tensor self, *, str approximate=\"none\") -> Tensor", "nf gelu"],
  ["div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor", "nf div.Tensor_mode"],
  ["_assert_async.msg(Tensor self, str assert_msg) -> ()", "nf _assert_async.msg"],
  ["add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", "nf add.Tensor"],
  ["leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor", "nf leaky_relu"],
  ["qscheme(Tensor self) -> QScheme", "nf qscheme"],
  ["set_.source_Storage(Tensor(a!) self, Storage source) -> Tensor(a!)", "nf set_.source_Storage"],
  ["record_stream(Tensor(a!) self, Stream s) -> ()", "nf record_stream"],
  ["sym_size.int(Tensor self, int dim) -> SymInt", "nf sym_size.int"],
  ["_local_scalar_dense(Tensor self) -> Scalar", "nf _local_scalar_dense"],
  // TorchScript's built-ins: type variables, alias annotations after [], wildcards, Future, varargs
  ["aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)", "prim aten::append.t"],
  ["aten::__getitem__.t(t[](a) list, int idx) -> t(*)", "prim aten::__getitem__.t"],
  ["aten::reverse.t(t[](a!) self) -> ()", "prim aten::reverse.t"],
  ["prim::unchecked_cast(t x) -> t", "prim prim::unchecked_cast"],
  ["aten::wait(Future(t) self) -> t", "prim aten::wait"],
  ["prim::Print(...) -> ()", "prim prim::Print"],
  ["prim::Uninitialized() -> Any", "prim prim::Uninitialized"],
  // custom classes
  ["quantized::conv2d_prepack(Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups) -> __torch__.torch.classes.quantized.Conv2dPackedParamsBase", "quantized conv2d_prepack"],
];

/** Forms PyTorch's grammar has that the schemas above do not show, written by hand. */
export const MORE_FORMS: readonly string[] = [
  "ns::f(Tensor(a|b) x, Tensor(a! -> a|b) y, Tensor(*) z, Tensor! w) -> Tensor(a)",
  "ns::f(Dict(str, Tensor) d, Dict(str, t)(a!) m, Union(int, str, None)? u, (int, Tensor) tup, Await(t) aw, RRef(t) r) -> ((Tensor, int), str)",
  "ns::f(SymFloat a, SymBool b, NoneType n, Capsule cap, AnyClassType k, AnyEnumType e, complex c=2j, complex d=-1.5j) -> SymBool",
  "ns::f(DeviceIndex i, ConstQuantizerPtr q, Quantizer z, PyObject o, Layout l=strided, ScalarType s=float, ScalarType c=complex) -> ()",
  "ns::f(int[][] nested, Tensor?[]? maybe, int?[] holes=[1, None], Tensor(a)[](b!) both, int[2]? sized=None) -> Tensor[][]",
  "ns::f(float a=.5, float b=1., float c=2.5e-3, float d=1E3, int e=-0, float g=-4) -> (int x, ...)",
  "ns::f(Tensor x, ...) -> ...",
  "ns::f(int a=1, int[] no_default, *, int b) -> (int[2] sized)",
  "ns::f(Tensor t=None, Generator g=None, str s='it\\'s', Device dev=\"cpu\") -> ()",
];
