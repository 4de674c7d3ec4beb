import type { SymmetricMemoryHandle } from "../../heap/handle.ts";

/**
 * Runs a collective step between two barriers of the op's group. The first makes every peer's
 * input visible before anyone reads it; the second keeps any rank from returning, and reusing
 * the dispatcher's workspace for its next call, while a peer still reads or writes it.
 * Both use user channel 0, as PyTorch's kernels use channel 0 of the signal pad.
 */
export async function betweenBarriers<T>(handle: SymmetricMemoryHandle, body: () => Promise<T> | T): Promise<T> {
  await handle.barrier();
  const result = await body();
  await handle.barrier();
  return result;
}
