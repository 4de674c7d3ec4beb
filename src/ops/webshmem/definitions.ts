/**
 * The `webshmem` operator namespace: ops of this project that PyTorch's symm_mem does not have,
 * defined (DEF) and given kernels (impl) through the same public Library API a downstream package
 * uses. No argument is registered as symm-mem: these kernels take the caller's tensor as it is
 * (host_all_reduce_ stages it itself, overlapped, see host-all-reduce.ts; mm reads a heap
 * operand where it lies, see mm.ts).
 */
import { hostAllReduce } from "./host-all-reduce.ts";
import { mm, mmOut } from "./mm.ts";
import type { OpContext } from "../../backends/context.ts";
import { Library, type Kernel, type Tag } from "../../library/library.ts";
import type { MetaKernel } from "../../library/meta.ts";
import { WEBSHMEM_METAS } from "../meta/webshmem-meta.ts";

/** The namespace of this project's own ops: `webshmem::host_all_reduce_`. */
export const WEBSHMEM_NAMESPACE = "webshmem";

/** One op of the webshmem namespace, with everything it is defined with. */
export interface WebshmemOp {
  /** The schema text, without the namespace. */
  readonly schema: string;
  /** Its kernel, registered for the "cpu" and "webgpu" backends (`registerBuiltinKernels` adds others). */
  readonly kernel: Kernel<OpContext>;
  /** Its meta kernel. */
  readonly meta: MetaKernel;
  /** torch.Tag names, checked at definition (docs/schema.md). */
  readonly tags?: readonly Tag[];
}

/**
 * The webshmem ops by name (`name` or `name.overload`), defined with their kernels when this
 * module loads (once per realm):
 * - `host_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)`, an in-place
 *   all-reduce whose arithmetic runs on the host; its pipelined path takes a HostAllReduceTuning
 *   and reports a HostAllReduceTrace;
 * - `mm(Tensor self, Tensor mat2) -> Tensor` and `mm.out(Tensor self, Tensor mat2, *, Tensor(a!) out)
 *   -> Tensor(a!)`, aten's matrix product over the backend's matmul capability (float32, float16,
 *   bfloat16; float32 accumulation).
 */
export const WEBSHMEM_OPS: Readonly<Record<string, WebshmemOp>> = {
  host_all_reduce_: {
    schema: "host_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)",
    kernel: hostAllReduce,
    meta: WEBSHMEM_METAS.host_all_reduce_,
    tags: ["inplace"],
  },
  mm: {
    schema: "mm(Tensor self, Tensor mat2) -> Tensor",
    kernel: mm,
    meta: WEBSHMEM_METAS.mm,
  },
  "mm.out": {
    schema: "mm.out(Tensor self, Tensor mat2, *, Tensor(a!) out) -> Tensor(a!)",
    kernel: mmOut,
    meta: WEBSHMEM_METAS["mm.out"],
    tags: ["out"],
  },
};

/** The backends the kernels are registered for (one function each: the tensor's kind picks the path). */
export const WEBSHMEM_KERNEL_BACKENDS: readonly string[] = ["cpu", "webgpu"];

let library: Library | undefined;

/** Defines the webshmem ops and registers their kernels once per JavaScript realm. */
export function defineWebshmemOps(): Library {
  if (library !== undefined) return library;
  const lib = new Library(WEBSHMEM_NAMESPACE, "DEF");
  for (const [name, { schema, kernel, meta, tags }] of Object.entries(WEBSHMEM_OPS)) {
    lib.define(schema, { meta, ...(tags === undefined ? {} : { tags }) });
    for (const backend of WEBSHMEM_KERNEL_BACKENDS) lib.impl(name, kernel, backend);
  }
  library = lib;
  return lib;
}

defineWebshmemOps();
