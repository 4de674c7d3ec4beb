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

/** Queues whose implementation must never see a SharedArrayBuffer view (Dawn on Node crashes). */
const bounced = new WeakSet<GPUQueue>();

/** Makes every heap → device write of `device` go through plain (non-shared) bounce buffers. */
export function requireBounceBuffers(device: GPUDevice): void {
  bounced.add(device.queue);
}

/** Bounce buffers are copied through in chunks of at most this many bytes (one reused buffer). */
const BOUNCE_CHUNK = 4 << 20;
let bounce: Uint8Array<ArrayBuffer> | undefined;

function bounceWrite(queue: GPUQueue, buffer: GPUBuffer, offset: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength; at += BOUNCE_CHUNK) {
    const n = Math.min(BOUNCE_CHUNK, bytes.byteLength - at);
    if (bounce === undefined || bounce.byteLength < n) bounce = new Uint8Array(Math.min(BOUNCE_CHUNK, Math.max(n, 64 << 10)));
    const chunk = bounce.subarray(0, n);
    chunk.set(bytes.subarray(at, at + n));
    // writeBuffer copies its source at call time, so the bounce buffer is free again at once.
    queue.writeBuffer(buffer, offset + at, chunk);
  }
}

/**
 * Writes heap (or host) bytes into `buffer` at `offset`. writeBuffer needs a multiple of 4 bytes:
 * a view that is one is written straight from its SharedArrayBuffer (copied at call time), or
 * through a bounce buffer where the device must not see shared memory; an odd length goes
 * through a private copy padded with `tail` (the bytes the buffer had there).
 */
export function writeBytes(queue: GPUQueue, buffer: GPUBuffer, offset: number, bytes: Uint8Array, tail?: Uint8Array): void {
  if (bytes.byteLength === 0) return;
  if (bytes.byteLength % 4 === 0) {
    const shared = typeof SharedArrayBuffer !== "undefined" && bytes.buffer instanceof SharedArrayBuffer;
    if (shared && bounced.has(queue)) bounceWrite(queue, buffer, offset, bytes);
    else queue.writeBuffer(buffer, offset, sharedSource(bytes as Uint8Array<SharedArrayBuffer>));
    return;
  }
  const padded = new Uint8Array(paddedSize(bytes.byteLength));
  padded.set(bytes);
  if (tail !== undefined) padded.set(tail.subarray(0, padded.length - bytes.length), bytes.length);
  queue.writeBuffer(buffer, offset, padded);
}
