/**
 * The tensors one row runs on, in a rank: regular GPU tensors on webgpu (so the dispatcher's
 * realization — readback into the heap, upload back — is inside the measured time, the honest
 * cost), symmetric heap tensors on cpu (views of buffers allocated once at setup). Resets,
 * poisoning and reads happen outside the timed window.
 */
import {
  type CollectiveDType, getBackend, GpuTensor, paddedSize, type Rank, type RegularTensor, SymmetricTensor,
  type Tensor,
} from "../internal.ts";
import { bytesOf, type RawArray } from "./data.ts";

export interface RowTensors {
  readonly x: Tensor;
  readonly out: Tensor | undefined;
  /** Puts the input back into x (in-place runs overwrite it). */
  resetInput(): void;
  /** Fills out with 0xff bytes, so a result that was never written is caught. */
  poisonOut(): void;
  /** Waits until the device has finished everything queued (no-op on cpu). */
  drain(): Promise<void>;
  /** This rank's stored values of a result. */
  read(t: Tensor): Promise<ArrayLike<number>>;
  /** Releases a tensor an op returned. */
  release(t: unknown): void;
  close(): void;
}

/** A padded private copy when a GPU write needs a size that is a multiple of 4. */
function padded(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength % 4 === 0) return bytes;
  const p = new Uint8Array(paddedSize(bytes.byteLength));
  p.set(bytes);
  return p;
}

function gpuTensors(rank: Rank, dtype: CollectiveDType, input: RawArray, outCount: number | undefined): RowTensors {
  const device = rank.device;
  if (device === null) throw new Error(`rank ${rank.rank}: the webgpu backend has no device`);
  const backend = getBackend("webgpu");
  const x = rank.tensor(input, { dtype }) as GpuTensor;
  const out = outCount === undefined ? undefined : (rank.zeros([outCount], dtype) as GpuTensor);
  const inputBytes = padded(bytesOf(input));
  const poison = out === undefined ? undefined : new Uint8Array(out.paddedBytes).fill(0xff);
  return {
    x, out,
    resetInput: () => device.queue.writeBuffer(x.buffer, 0, inputBytes as Uint8Array<ArrayBuffer>),
    poisonOut: () => {
      if (out !== undefined && poison !== undefined) device.queue.writeBuffer(out.buffer, 0, poison);
    },
    drain: () => device.queue.onSubmittedWorkDone(),
    read: async (t) => (t instanceof SymmetricTensor ? t.data : rank.read(t)),
    release: (t) => {
      if (t instanceof GpuTensor && t !== x && t !== out) backend.dispose(rank, t);
    },
    close: () => {
      backend.dispose(rank, x);
      if (out !== undefined) backend.dispose(rank, out);
    },
  };
}

function heapTensors(
  rank: Rank, dtype: CollectiveDType, input: RawArray, outCount: number | undefined,
  xbuf: SymmetricTensor, outbuf: SymmetricTensor,
): RowTensors {
  const x = xbuf.view(0, [input.length], dtype);
  const out = outCount === undefined ? undefined : outbuf.view(0, [outCount], dtype);
  x.data.set(input);
  return {
    x, out,
    resetInput: () => x.data.set(input),
    poisonOut: () => out?.bytes.fill(0xff),
    drain: async () => {},
    read: async (t) => (t instanceof SymmetricTensor ? t.data : rank.read(t)),
    release: (t) => {
      const b = t instanceof SymmetricTensor ? undefined : getBackend(rank.backend);
      if (b?.isTensor(t)) b.dispose(rank, t as RegularTensor);
    },
    close: () => {},
  };
}

export function rowTensors(
  rank: Rank, dtype: CollectiveDType, input: RawArray, outCount: number | undefined,
  heap: { xbuf?: SymmetricTensor; outbuf?: SymmetricTensor },
): RowTensors {
  if (rank.backend === "webgpu") return gpuTensors(rank, dtype, input, outCount);
  if (heap.xbuf === undefined || heap.outbuf === undefined) throw new Error("bench: heap buffers were not set up");
  return heapTensors(rank, dtype, input, outCount, heap.xbuf, heap.outbuf);
}
