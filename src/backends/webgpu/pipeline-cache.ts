/**
 * Compute pipelines cached per device and kernel key. Compiling WGSL costs milliseconds (tens on
 * SwiftShader and lavapipe), a collective runs many times with the same few variants, and
 * pipelines belong to one GPUDevice: hence one map per device, dropped with the device.
 */
import { OpError } from "../../core/errors.ts";

/** How to build a pipeline on a cache miss. */
export interface PipelineSource {
  readonly code: string;
  readonly layout: GPUPipelineLayout;
  readonly entryPoint?: string;
}

const caches = new WeakMap<GPUDevice, Map<string, unknown>>();

/** A per-device memo: `make` runs once per (device, key). Also holds layouts and the like. */
export function cachedPerDevice<T>(device: GPUDevice, key: string, make: () => T): T {
  let cache = caches.get(device);
  if (cache === undefined) {
    cache = new Map();
    caches.set(device, cache);
  }
  if (cache.has(key)) return cache.get(key) as T;
  const v = make();
  cache.set(key, v);
  return v;
}

/** Forgets everything memoised for `device` (its resources were released). */
export function dropPerDevice(device: GPUDevice): void {
  caches.delete(device);
}

/** `line:col message` of each error of a compiled module; empty when it compiled. */
export async function compilationErrors(module: GPUShaderModule): Promise<string[]> {
  const info = await module.getCompilationInfo();
  return info.messages
    .filter((m) => m.type === "error")
    .map((m) => `${m.lineNum}:${m.linePos} ${m.message.trim()}`);
}

function describe(id: string): string {
  return `WGSL kernel ${id}`;
}

/**
 * The cached pipeline, compiled asynchronously on a miss; a compile error rejects with an
 * OpError carrying getCompilationInfo()'s messages. Call it before encoding (e.g. once per
 * collective setup) so errors arrive as exceptions rather than as device validation errors.
 */
export function compileComputePipeline(
  device: GPUDevice,
  id: string,
  build: () => PipelineSource,
): Promise<GPUComputePipeline> {
  const ready = caches.get(device)?.get(`pipeline:${id}`) as GPUComputePipeline | undefined;
  if (ready !== undefined) return Promise.resolve(ready);
  return cachedPerDevice(device, `compiling:${id}`, async () => {
    const src = build();
    const module = device.createShaderModule({ label: id, code: src.code });
    const errors = await compilationErrors(module);
    if (errors.length > 0) {
      caches.get(device)?.delete(`compiling:${id}`);
      throw new OpError(`${describe(id)} does not compile:\n${errors.join("\n")}`);
    }
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label: id,
        layout: src.layout,
        compute: { module, entryPoint: src.entryPoint ?? "main" },
      });
    } catch (e) {
      caches.get(device)?.delete(`compiling:${id}`);
      throw new OpError(`${describe(id)}: pipeline creation failed: ${(e as Error).message}`);
    }
    return cachedPerDevice(device, `pipeline:${id}`, () => pipeline);
  });
}

/**
 * The cached pipeline, created synchronously on a miss (encoders cannot wait). A compile error
 * then surfaces as the device's validation error, and also on the console with the
 * getCompilationInfo() messages, since the validation error alone rarely names the WGSL line.
 */
export function getComputePipeline(device: GPUDevice, id: string, build: () => PipelineSource): GPUComputePipeline {
  return cachedPerDevice(device, `pipeline:${id}`, () => {
    const src = build();
    const module = device.createShaderModule({ label: id, code: src.code });
    void compilationErrors(module).then(
      (errors) => {
        if (errors.length > 0) console.error(`${describe(id)} does not compile:\n${errors.join("\n")}`);
      },
      () => undefined,
    );
    return device.createComputePipeline({
      label: id,
      layout: src.layout,
      compute: { module, entryPoint: src.entryPoint ?? "main" },
    });
  });
}
