/**
 * WebGPU on Node: the npm `webgpu` package (Dawn), an optional dependency loaded only when a rank
 * asks for the webgpu backend. Dawn crashes (segfault) when a SharedArrayBuffer view reaches it
 * (seen on this project's machines with webgpu@0.6.2), so every device made here is marked for the webgpu backend's bounce buffers
 * (plain ArrayBuffers between the heap and writeBuffer), and its queue refuses a shared view with
 * an OpError instead of crashing the process, should one ever slip through.
 */
import { LaunchError, OpError } from "../core/errors.ts";
import { requireBounceBuffers } from "../backends/webgpu/gpu-buffers.ts";

/** Debian's chromium package ships SwiftShader's Vulkan driver: a WebGPU adapter without a GPU. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

export const NODE_GPU_HELP =
  "Node's WebGPU is the optional npm package 'webgpu' (Dawn) on the system's Vulkan driver; on a machine " +
  `without a GPU use SwiftShader from Debian's chromium package: apt-get install -y chromium, then run with ` +
  `VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (lavapipe is refused by Dawn), or launch with backend: "cpu"`;

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * Kept for the realm's life: Dawn frees its instance with this object, and a device whose instance
 * was collected crashes the process in its next event poll (seen: SIGSEGV in ProcessEvents).
 */
let gpu: GPU | undefined;

/** The `navigator.gpu` of this Node realm: the webgpu package's, with its globals installed. */
export async function nodeGpu(rank: number): Promise<GPU> {
  if (gpu !== undefined) return gpu;
  const name = "webgpu";
  let dawn: DawnModule;
  try {
    dawn = (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (e) {
    throw new LaunchError(`rank ${rank}: WebGPU in node needs the npm package "webgpu" (${(e as Error).message}): ` +
      `npm install webgpu@0.6.2; ${NODE_GPU_HELP}`);
  }
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  gpu = dawn.create([]);
  return gpu;
}

function isShared(data: unknown): boolean {
  const buffer = ArrayBuffer.isView(data) ? data.buffer : data;
  return typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer;
}

/** Marks a Dawn device for bounce buffers and guards its queue against shared views. */
export function guardNodeDevice(device: GPUDevice): GPUDevice {
  requireBounceBuffers(device);
  const queue = device.queue;
  const write = queue.writeBuffer.bind(queue) as (...a: unknown[]) => undefined;
  Object.defineProperty(queue, "writeBuffer", {
    value: (buffer: GPUBuffer, offset: number, data: unknown, ...rest: unknown[]) => {
      if (isShared(data)) {
        throw new OpError("writeBuffer: a SharedArrayBuffer view must not reach Dawn (it crashes the process); " +
          "the webgpu backend copies heap data through bounce buffers on Node: this write bypassed them");
      }
      return write(buffer, offset, data, ...rest);
    },
  });
  return device;
}
