/** The plan's copies between a tensor and its heap home, over the Backend contract. */
import { backendOf, getBackend, type Tensor } from "../backends/backend.ts";
import type { RankContext } from "../backends/rank-context.ts";
import { OpError } from "../core/errors.ts";
import { copyElements, SymmetricTensor } from "../heap/symmetric-tensor.ts";

function backendFor(t: Tensor, what: string) {
  const b = backendOf(t);
  if (b === undefined) throw new OpError(`rank.plan: ${what}: expected a tensor of a registered backend or a symmetric tensor`);
  return b;
}

/** Copies `src` (any tensor) into `home`. */
export async function intoHome(rank: RankContext, src: Tensor, home: SymmetricTensor): Promise<void> {
  if (src instanceof SymmetricTensor) copyElements(home, src);
  else await backendFor(src, "copy into the heap").toHeap(rank, src, home);
}

/** Copies `home` into `dst` (any tensor). */
export async function outOfHome(rank: RankContext, home: SymmetricTensor, dst: Tensor): Promise<void> {
  if (dst instanceof SymmetricTensor) copyElements(dst, home);
  else await backendFor(dst, "copy out of the heap").fromHeap(rank, home, dst);
}

/** A new regular tensor on `backend` holding a copy of `home`. */
export async function copyOut(rank: RankContext, home: SymmetricTensor, backend: string): Promise<Tensor> {
  const t = getBackend(backend).createTensor(rank, home.shape, home.dtype);
  await getBackend(backend).fromHeap(rank, home, t);
  return t;
}
