import { OpError } from "../../errors.ts";
import type { Rank } from "../../rank/rank.ts";
import { paddedSize } from "./gpu-tensor.ts";
import { poolFor } from "./staging-pool.ts";

// Read lazily: Node has no GPUBufferUsage global, and this module loads there too.
export const tensorUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** writeBuffer takes views over a SharedArrayBuffer (spec: AllowSharedBufferSource); the types lag. */
export function sharedSource(view: Uint8Array<SharedArrayBuffer>): GPUAllowSharedBufferSource {
  return view as unknown as GPUAllowSharedBufferSource;
}

export function deviceOf(rank: Rank): GPUDevice {
  if (rank.device === null) {
    throw new OpError(`rank ${rank.rank}: the webgpu backend needs a GPUDevice, but this rank was launched with backend "${rank.backend}"`);
  }
  return rank.device;
}

/** Copies `bytes` of `buffer` back to the host with one pooled staging buffer and one mapAsync. */
export async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const size = paddedSize(bytes);
  const pool = poolFor(device);
  const staging = pool.acquire("staging", size);
  try {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    return out;
  } finally {
    pool.release("staging", staging);
  }
}

