/**
 * Registers every built-in kernel (the symm_mem set and the webshmem ops) for one more backend:
 * what a plugin whose Reducer, endpoint and fill32 work calls once per realm to run the whole
 * built-in op set unchanged. Returns the IMPL libraries, whose dispose() takes them back.
 */
import { Library } from "../library/library.ts";
import { SYMM_MEM_NAMESPACE } from "./symm_mem/definitions.ts";
import { SYMM_MEM_KERNELS } from "./symm_mem/kernels.ts";
import { WEBSHMEM_NAMESPACE, WEBSHMEM_OPS } from "./webshmem/definitions.ts";

/**
 * Registers the kernel of every built-in op that has one (symm_mem and webshmem) for `backend`, in
 * two IMPL libraries, [symm_mem, webshmem]; dispose them to take the kernels back. Throws the
 * OpError of `lib.impl` (e.g. `backend` already has a kernel for one of them), and then registers none.
 */
export function registerBuiltinKernels(backend: string): Library[] {
  const symm = new Library(SYMM_MEM_NAMESPACE, "IMPL");
  const ours = new Library(WEBSHMEM_NAMESPACE, "IMPL");
  try {
    for (const [name, kernel] of Object.entries(SYMM_MEM_KERNELS)) symm.impl(name, kernel, backend);
    for (const [name, { kernel }] of Object.entries(WEBSHMEM_OPS)) ours.impl(name, kernel, backend);
  } catch (e) {
    symm.dispose();
    ours.dispose();
    throw e;
  }
  return [symm, ours];
}
