import { OpError } from "../../core/errors.ts";
import type { RankContext } from "../rank-context.ts";
import { resourcesOf } from "./device-resources.ts";
import { paddedSize } from "./gpu-tensor.ts";

// Read lazily: Node has no GPUBufferUsage global, and this module loads there too.
export const tensorUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** writeBuffer takes views over a SharedArrayBuffer (spec: AllowSharedBufferSource); the types lag. */
export function sharedSource(view: Uint8Array<SharedArrayBuffer>): GPUAllowSharedBufferSource {
  return view as unknown as GPUAllowSharedBufferSource;
}

export function deviceOf(rank: RankContext): GPUDevice {
  if (rank.device === null) {
    throw new OpError(`rank ${rank.rank}: the webgpu backend needs a GPUDevice, but this rank was launched with backend "${rank.backend}"`);
  }
  return rank.device;
}

/** Copies the first `bytes` bytes of `buffer` back to the host, through the staging ring. */
export function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  return resourcesOf(device).staging.read(buffer, bytes, (mapped) => mapped.slice().buffer);
}

/**
 * Writes heap (or host) bytes into `buffer` at `offset`. writeBuffer needs a multiple of 4 bytes:
 * a view that is one is written straight from its SharedArrayBuffer (copied at call time);
 * an odd length goes through a private copy padded with `tail` (the bytes the buffer had there).
 */
export function writeBytes(queue: GPUQueue, buffer: GPUBuffer, offset: number, bytes: Uint8Array, tail?: Uint8Array): void {
  if (bytes.byteLength === 0) return;
  if (bytes.byteLength % 4 === 0) {
    queue.writeBuffer(buffer, offset, sharedSource(bytes as Uint8Array<SharedArrayBuffer>));
    return;
  }
  const padded = new Uint8Array(paddedSize(bytes.byteLength));
  padded.set(bytes);
  if (tail !== undefined) padded.set(tail.subarray(0, padded.length - bytes.length), bytes.length);
  queue.writeBuffer(buffer, offset, padded);
}
