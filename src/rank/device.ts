import { LaunchError } from "../core/errors.ts";
import type { RuntimeName } from "../core/runtime.ts";
import { guardNodeDevice, NODE_GPU_HELP, nodeGpu } from "./node-gpu.ts";

/** What a rank reports about its adapter; plain data, so it crosses to the main thread. */
export interface AdapterSummary {
  /** "webgpu" for a rank with a WebGPU device; "cpu" for any other backend (no device). */
  readonly backend: string;
  /** The adapter's vendor (GPUAdapterInfo), "" when the runtime does not say. */
  readonly vendor: string;
  /** The adapter's architecture (GPUAdapterInfo), "" when the runtime does not say. */
  readonly architecture: string;
  /** The adapter's vendor-specific device identifier (GPUAdapterInfo), "" when the runtime does not say. */
  readonly device: string;
  /** The adapter's description (GPUAdapterInfo; Chromium may leave it ""); "cpu (no GPU device)" without one. */
  readonly description: string;
  /** True for a fallback (software) adapter, as the runtime reports it; false when it does not. */
  readonly isFallbackAdapter: boolean;
  /** The features enabled on the rank's device, sorted; empty without a device. */
  readonly features: readonly string[];
  /** The device's maxStorageBufferBindingSize limit, in bytes; 0 without a device. */
  readonly maxStorageBufferBindingSize: number;
  /** The device's maxBufferSize limit, in bytes; 0 without a device. */
  readonly maxBufferSize: number;
}

/** How to get an adapter where there is none, per runtime. */
export function noAdapterHelp(runtime: RuntimeName): string {
  switch (runtime) {
    case "chromium":
      return "start Chromium with --enable-unsafe-webgpu (on a machine without a GPU it then uses " +
        "SwiftShader), or launch with backend: \"cpu\"";
    case "deno":
      return "install a Vulkan driver (Debian: apt-get install -y mesa-vulkan-drivers, which provides " +
        "lavapipe), or launch with backend: \"cpu\"";
    case "node":
      return NODE_GPU_HELP;
  }
}

// The limits a rank asks for: all that the adapter offers, so large tensors need fewer chunks.
const LIMIT_NAMES = [
  "maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup", "maxComputeWorkgroupSizeX", "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ", "maxComputeWorkgroupsPerDimension", "maxStorageBuffersPerShaderStage",
  "maxBindGroups", "maxBindingsPerBindGroup", "maxUniformBufferBindingSize",
] as const;

/** What a rank's requestDevice asks for: every limit the adapter offers, and shader-f16 when it has it. */
export function deviceDescriptorFor(adapter: GPUAdapter): GPUDeviceDescriptor & { requiredLimits: Record<string, number> } {
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMIT_NAMES) {
    const v = limits[name];
    if (typeof v === "number") requiredLimits[name] = v;
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has("shader-f16")) requiredFeatures.push("shader-f16");
  return { requiredLimits, requiredFeatures };
}

export async function acquireDevice(runtime: RuntimeName, rank: number): Promise<{
  device: GPUDevice;
  info: AdapterSummary;
}> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu ?? (runtime === "node" ? await nodeGpu(rank) : undefined);
  if (gpu === undefined) {
    throw new LaunchError(`rank ${rank}: WebGPU is not available in ${runtime} (navigator.gpu is missing): ` +
      noAdapterHelp(runtime));
  }
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    throw new LaunchError(`rank ${rank}: no WebGPU adapter in ${runtime}: ${noAdapterHelp(runtime)}`);
  }
  const requested = await adapter.requestDevice(deviceDescriptorFor(adapter));
  const device = runtime === "node" ? guardNodeDevice(requested) : requested;
  const ai = (adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const legacyFallback = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const info: AdapterSummary = {
    backend: "webgpu",
    vendor: ai?.vendor ?? "",
    architecture: ai?.architecture ?? "",
    device: ai?.device ?? "",
    description: ai?.description ?? "",
    isFallbackAdapter: ai?.isFallbackAdapter ?? legacyFallback ?? false,
    features: [...device.features].map(String).sort(),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  };
  return { device, info };
}

export function cpuAdapterSummary(): AdapterSummary {
  return {
    backend: "cpu", vendor: "", architecture: "", device: "", description: "cpu (no GPU device)",
    isFallbackAdapter: false, features: [], maxStorageBufferBindingSize: 0, maxBufferSize: 0,
  };
}

/** A one-line name for an adapter, for logs and the demo page. */
export function describeAdapter(info: AdapterSummary): string {
  if (info.backend === "cpu") return info.description;
  // Chromium hides the description; then the vendor and architecture are the name.
  const named = info.description !== "";
  const name = named ? info.description : [info.vendor, info.architecture].filter((s) => s !== "").join(" ");
  const details = (named ? [["vendor", info.vendor], ["architecture", info.architecture]] : [])
    .concat([["device", info.device]])
    .filter(([, v]) => v !== "" && v !== "0")
    .map(([k, v]) => `${k} ${v}`);
  if (info.isFallbackAdapter) details.push("fallback adapter");
  return `${name || "unnamed adapter"}${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
}
