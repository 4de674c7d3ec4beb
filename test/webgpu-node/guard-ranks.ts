/** Rank functions for the Node webgpu guard test. */
import type { Rank } from "../../src/index.ts";

export async function writeShared(rank: Rank): Promise<{ shared: string; plain: string }> {
  const device = rank.device!;
  const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const attempt = (data: ArrayBufferView<ArrayBufferLike>): string => {
    try {
      device.queue.writeBuffer(buffer, 0, data as unknown as BufferSource);
      return "ok";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const shared = attempt(new Uint8Array(new SharedArrayBuffer(16)));
  const plain = attempt(new Uint8Array(16));
  buffer.destroy();
  return { shared, plain };
}

/**
 * What the bounce buffer costs: ms per `bytes` written from a heap tensor (through the bounce
 * buffer) and from a plain array of the same size (straight to Dawn), each drained; medians of 5.
 */
export async function bounceCost(rank: Rank, bytes: number): Promise<{ heapMs: number; plainMs: number }> {
  const { writeBytes } = await import("../../src/internal.ts");
  const device = rank.device!;
  const buffer = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.STORAGE });
  const heap = rank.symm.empty([bytes], "uint8");
  const plain = new Uint8Array(bytes);
  const time = async (write: () => void) => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      write();
      await device.queue.onSubmittedWorkDone();
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b)[2];
  };
  const heapMs = await time(() => writeBytes(device.queue, buffer, 0, heap.bytes));
  const plainMs = await time(() => device.queue.writeBuffer(buffer, 0, plain));
  buffer.destroy();
  rank.symm.free(heap);
  return { heapMs, plainMs };
}
