/**
 * The WebGPU flag namespaces (GPUBufferUsage, GPUMapMode, GPUShaderStage, GPUTextureUsage,
 * GPUColorWrite) with the spec's numeric values, for runtimes without WebGPU (Node). The library
 * reads them lazily (e.g. `tensorUsage()`), so installing them before the first call is enough.
 */

/** GPUBufferUsage, as in the WebGPU spec. */
export const BUFFER_USAGE = Object.freeze({
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  INDEX: 0x0010,
  VERTEX: 0x0020,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  INDIRECT: 0x0100,
  QUERY_RESOLVE: 0x0200,
});

/** GPUMapMode, as in the WebGPU spec. */
export const MAP_MODE = Object.freeze({ READ: 0x0001, WRITE: 0x0002 });

/** GPUShaderStage, as in the WebGPU spec. */
export const SHADER_STAGE = Object.freeze({ VERTEX: 0x1, FRAGMENT: 0x2, COMPUTE: 0x4 });

/** GPUTextureUsage, as in the WebGPU spec (the fake has no textures; defined for completeness). */
export const TEXTURE_USAGE = Object.freeze({
  COPY_SRC: 0x01,
  COPY_DST: 0x02,
  TEXTURE_BINDING: 0x04,
  STORAGE_BINDING: 0x08,
  RENDER_ATTACHMENT: 0x10,
});

/** GPUColorWrite, as in the WebGPU spec. */
export const COLOR_WRITE = Object.freeze({ RED: 0x1, GREEN: 0x2, BLUE: 0x4, ALPHA: 0x8, ALL: 0xf });

const NAMESPACES = {
  GPUBufferUsage: BUFFER_USAGE,
  GPUMapMode: MAP_MODE,
  GPUShaderStage: SHADER_STAGE,
  GPUTextureUsage: TEXTURE_USAGE,
  GPUColorWrite: COLOR_WRITE,
} as const;

export type WebGPUNamespace = keyof typeof NAMESPACES;

/**
 * Defines each namespace on globalThis where it is missing; one already there (a real WebGPU
 * runtime, or an earlier call) is left alone, so calling this any number of times is harmless.
 * Returns the names it defined on this call.
 */
export function installWebGPUGlobals(): WebGPUNamespace[] {
  const installed: WebGPUNamespace[] = [];
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(NAMESPACES) as [WebGPUNamespace, object][]) {
    if (g[name] !== undefined) continue;
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    installed.push(name);
  }
  return installed;
}

/** "MAP_READ|COPY_DST" for a usage mask; unknown bits as hex. For messages. */
export function usageNames(usage: number): string {
  const names = Object.entries(BUFFER_USAGE).filter(([, bit]) => (usage & bit) !== 0).map(([n]) => n);
  const known = Object.values(BUFFER_USAGE).reduce((a, b) => a | b, 0);
  const unknown = usage & ~known;
  if (unknown !== 0) names.push(`0x${unknown.toString(16)}`);
  return names.length === 0 ? "0 (none)" : names.join("|");
}
