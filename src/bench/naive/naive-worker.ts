/**
 * One worker of the naive baseline: what a JavaScript developer writes without webshmem. It owns
 * a GPUBuffer (webgpu) or a plain array (cpu) holding its input; on "go" it reads the buffer back,
 * posts it to the main thread (transferred), waits for the result (the sum; for the all-to-alls,
 * its share of the exchange), uploads it and reports how long that took (upload drained, as the
 * library's ops are measured). It uses nothing of the library:
 * only the benchmark's input generator, so its data is the ranks' data.
 */
import type { CollectiveDType } from "../../internal.ts";
import { bytesOf, fillInput, rawArray } from "../data.ts";
import { wallMs } from "../trace.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

type Post = (m: FromWorker, transfer?: Transferable[]) => void;

const ELEM: Record<string, number> = { float32: 4, int32: 4, float16: 2, bfloat16: 2 };

let device: GPUDevice | undefined;
let buffer: GPUBuffer | undefined;
let staging: GPUBuffer | undefined;
let host: Uint8Array | undefined;
let rank = 0;
let dtype: CollectiveDType = "float32";
let elem = 4;
let bytes = 0;
let outBytes = 0;
let t0 = 0;
/** Wall-clock ms (trace.ts) of this iteration's go and of its data posted. */
let atGo = 0;
let atData = 0;
let initial: Uint8Array | undefined;

const pad4 = (n: number) => Math.max(4, Math.ceil(n / 4) * 4);

/**
 * navigator.gpu, or on Node the npm package "webgpu" (Dawn), as its README says to load it. The
 * GPU object is kept for the worker's life: Dawn's instance is freed with it, and a device whose
 * instance was collected crashes in its next event poll.
 */
let nodeGpu: GPU | undefined;
async function webgpu(): Promise<GPU> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (gpu !== undefined) return gpu;
  const name = "webgpu";
  const dawn = (await import(/* @vite-ignore */ name)) as { create(o: string[]): GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, dawn.globals);
  nodeGpu ??= dawn.create([]);
  return nodeGpu;
}

/** The inputs the library's ranks get: the harness's generator (the data, not the method). */
function input(count: number): Uint8Array {
  return bytesOf(fillInput(dtype, rank, 0, rawArray(dtype, count)));
}

async function handle(m: ToWorker, post: Post): Promise<void> {
  switch (m.type) {
    case "init": {
      rank = m.rank;
      dtype = m.dtype;
      elem = ELEM[m.dtype];
      if (m.backend === "webgpu") {
        const adapter = await (await webgpu()).requestAdapter();
        if (adapter === null) throw new Error("naive worker: no WebGPU adapter");
        device = await adapter.requestDevice({
          requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
        });
      }
      post({ type: "ready" });
      return;
    }
    case "size": {
      buffer?.destroy();
      staging?.destroy();
      bytes = m.count * elem;
      outBytes = (m.outCount ?? m.count) * elem;
      initial = new Uint8Array(pad4(bytes));
      initial.set(input(m.count));
      const size = pad4(Math.max(bytes, outBytes));
      if (device !== undefined) {
        buffer = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
        staging = device.createBuffer({ size: pad4(bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      } else {
        host = new Uint8Array(size);
      }
      post({ type: "sized" });
      return;
    }
    case "reset": {
      // Untimed: the buffer holds the last sum; put this worker's input back.
      if (device !== undefined && buffer !== undefined && initial !== undefined) {
        device.queue.writeBuffer(buffer, 0, initial as Uint8Array<ArrayBuffer>);
        await device.queue.onSubmittedWorkDone();
      } else {
        (host as Uint8Array).set((initial as Uint8Array).subarray(0, bytes));
      }
      post({ type: "was_reset" });
      return;
    }
    case "go": {
      t0 = performance.now();
      atGo = wallMs();
      let data: ArrayBuffer;
      if (device !== undefined && buffer !== undefined && staging !== undefined) {
        const enc = device.createCommandEncoder();
        enc.copyBufferToBuffer(buffer, 0, staging, 0, pad4(bytes));
        device.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        data = staging.getMappedRange().slice(0, bytes);
        staging.unmap();
      } else {
        data = (host as Uint8Array).slice(0, bytes).buffer as ArrayBuffer;
      }
      atData = wallMs();
      post({ type: "data", data }, [data]);
      return;
    }
    case "sum": {
      const atSum = wallMs();
      if (device !== undefined && buffer !== undefined) {
        const p = new Uint8Array(pad4(m.data.byteLength));
        p.set(new Uint8Array(m.data));
        device.queue.writeBuffer(buffer, 0, p);
        await device.queue.onSubmittedWorkDone();
      } else {
        (host as Uint8Array).set(new Uint8Array(m.data));
      }
      const ms = performance.now() - t0;
      post({ type: "done", ms, at: [atGo, atData, atSum, wallMs()] });
      return;
    }
    case "close": {
      buffer?.destroy();
      staging?.destroy();
      if (device !== undefined) {
        await device.queue.onSubmittedWorkDone();
        device.destroy();
      }
      post({ type: "closed" });
      return;
    }
  }
}

function serve(post: Post): (m: ToWorker) => void {
  // One message at a time, in order.
  let queue = Promise.resolve();
  return (m) => {
    queue = queue.then(() => handle(m, post)).catch((e) => post({ type: "error", message: String((e as Error)?.stack ?? e) }));
  };
}

const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
if (typeof (globalThis as { Deno?: unknown }).Deno === "undefined" && proc?.versions?.node !== undefined) {
  const threads = "node:worker_threads";
  const { parentPort } = (await import(/* @vite-ignore */ threads)) as typeof import("node:worker_threads");
  if (parentPort === null) throw new Error("naive-worker.ts must run in a worker thread");
  const onMessage = serve((m, transfer) => parentPort.postMessage(m, (transfer ?? []) as never));
  parentPort.on("message", onMessage);
} else {
  const scope = globalThis as unknown as {
    postMessage(m: unknown, transfer?: Transferable[]): void;
    addEventListener(t: "message", f: (e: MessageEvent) => void): void;
  };
  const onMessage = serve((m, transfer) => scope.postMessage(m, transfer ?? []));
  scope.addEventListener("message", (e) => onMessage(e.data as ToWorker));
}
