/**
 * `withDevice`: one GPU test on its own GPUDevice, for both real-device runners (Deno on lavapipe,
 * Chromium on SwiftShader). Written once here; each runner has a thin wrapper that prints and
 * marks the skip its own way (deno/tests/gpu.ts `testWithDevice`, e2e/gpu.ts `testWithDevice`).
 *
 * - No navigator.gpu or no adapter: nothing runs, and the outcome is `{ status: "skipped", reason }`.
 * - The device is what a rank gets (src/rank/device.ts): the adapter's full limits, shader-f16
 *   when the adapter has it.
 * - `fn` runs inside a `validation` and an `out-of-memory` error scope; an error either pops, or an
 *   uncaptured error / an unexpected device loss, fails the test with its message.
 * - Every GPUBuffer created on the device while `fn` runs (by the test or by the library) is
 *   tracked and destroyed afterwards, the library's per-device resources are released
 *   (releaseDeviceResources), and the device is destroyed, even when `fn` throws; then
 *   `device.lost` is awaited (bounded), so Deno's sanitizers and exit see nothing pending.
 *
 * Modelled on webgpu-utils' test/webgpu.js `testWithDevice`.
 */
import { detectRuntime, deviceDescriptorFor, noAdapterHelp, releaseDeviceResources } from "../../src/internal.ts";

export interface WithDeviceOptions {
  /**
   * Limits to request over the adapter's own. WebGPU raises a request worse than the default to
   * the default (so a smaller maxStorageBufferBindingSize than 128 MiB is not granted); read
   * device.limits for what the device got.
   */
  readonly requiredLimits?: Readonly<Record<string, number>>;
  /** Features to require instead of the default (shader-f16 when the adapter has it). */
  readonly requiredFeatures?: readonly GPUFeatureName[];
  /** How long to wait for device.lost after device.destroy(), in ms (default 1000). */
  readonly lostTimeoutMs?: number;
}

export interface DeviceTestContext {
  /** The test's name, as given to withDevice. */
  readonly name: string;
  /** A one-line name for the adapter. */
  readonly adapter: string;
  /** The buffers created on the device so far (all destroyed after the test). */
  readonly buffers: ReadonlySet<GPUBuffer>;
}

/** Plain data (it crosses page.evaluate). A failure is a rejection, not an outcome. */
export type DeviceOutcome<T> =
  | {
    readonly status: "passed";
    readonly value: T;
    /** How many GPUBuffers were created on the device (and destroyed afterwards). */
    readonly buffers: number;
    readonly adapter: string;
    /** device.lost's reason after the destroy, or "timeout" when it did not settle in time. */
    readonly lost: string;
  }
  | { readonly status: "skipped"; readonly reason: string };

function adapterName(adapter: GPUAdapter): string {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  return info?.description || [info?.vendor, info?.architecture].filter(Boolean).join(" ") || "unnamed adapter";
}

async function getAdapter(): Promise<{ adapter: GPUAdapter } | { reason: string }> {
  const runtime = detectRuntime();
  // The library's advice, less its "or launch with backend: cpu" (a test does not choose).
  const help = noAdapterHelp(runtime).replace(/,? or launch with backend: "cpu"$/, "");
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (gpu === undefined) return { reason: `navigator.gpu is missing in this ${runtime}: ${help}` };
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return { reason: `no WebGPU adapter in ${runtime}: ${help}` };
  return { adapter };
}

/** Why GPU tests cannot run here (no navigator.gpu, no adapter), or undefined when they can. */
export async function deviceSkipReason(): Promise<string | undefined> {
  const a = await getAdapter();
  return "reason" in a ? a.reason : undefined;
}

/** What requestDevice gets: a rank's limits and features (src/rank/device.ts), then `opts`. */
function deviceDescriptor(adapter: GPUAdapter, opts: WithDeviceOptions): GPUDeviceDescriptor {
  const base = deviceDescriptorFor(adapter);
  const requiredLimits = { ...base.requiredLimits, ...opts.requiredLimits };
  const requiredFeatures = opts.requiredFeatures ?? base.requiredFeatures ?? [];
  return { label: "withDevice", requiredLimits, requiredFeatures: [...requiredFeatures] };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs `fn` on a fresh device, as described at the top of this file. Resolves to "passed" with
 * fn's value, or "skipped" with the reason; rejects when fn throws (its own error, with any GPU
 * errors appended) or when the device reports an error.
 */
export async function withDevice<T>(
  name: string,
  fn: (device: GPUDevice, ctx: DeviceTestContext) => Promise<T> | T,
  opts: WithDeviceOptions = {},
): Promise<DeviceOutcome<T>> {
  const a = await getAdapter();
  if ("reason" in a) return { status: "skipped", reason: a.reason };
  const adapter = adapterName(a.adapter);
  const device = await a.adapter.requestDevice(deviceDescriptor(a.adapter, opts));

  const gpuErrors: string[] = [];
  let lostInfo: GPUDeviceLostInfo | undefined;
  let destroying = false;
  const lost = device.lost.then((info) => {
    if (!destroying) lostInfo = info;
    return info;
  });
  const onUncaptured = (e: Event) => {
    gpuErrors.push(`uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error?.message}`);
  };
  device.addEventListener?.("uncapturederror", onUncaptured);

  const buffers = new Set<GPUBuffer>();
  const createBuffer = device.createBuffer;
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const b = createBuffer.call(device, descriptor);
    buffers.add(b);
    return b;
  };

  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  device.pushErrorScope("validation");
  device.pushErrorScope("out-of-memory");
  try {
    value = await fn(device, { name, adapter, buffers });
  } catch (e) {
    failed = true;
    failure = e;
  }

  // Pops in reverse order; each waits for the scope's work to be validated.
  for (const filter of ["out-of-memory", "validation"] as const) {
    try {
      const error = await device.popErrorScope();
      if (error !== null) gpuErrors.push(`WebGPU ${filter} error: ${error.message}`);
    } catch (e) {
      gpuErrors.push(`popErrorScope (${filter}) failed: the test popped scopes it did not push? ${message(e)}`);
    }
  }
  if (lostInfo !== undefined) gpuErrors.push(`device lost during the test (${lostInfo.reason}): ${lostInfo.message}`);

  // Teardown, whatever happened: the library's resources, every buffer, the device.
  const teardown: string[] = [];
  destroying = true;
  try {
    releaseDeviceResources(device);
  } catch (e) {
    teardown.push(`releaseDeviceResources: ${message(e)}`);
  }
  for (const b of buffers) {
    try {
      b.destroy();
    } catch (e) {
      teardown.push(`destroying buffer ${b.label || `of ${b.size} bytes`}: ${message(e)}`);
    }
  }
  device.removeEventListener?.("uncapturederror", onUncaptured);
  delete (device as { createBuffer?: unknown }).createBuffer; // the prototype's again
  device.destroy();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    lost.then((info) => info.reason as string),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("timeout"), opts.lostTimeoutMs ?? 1000))),
  ]);
  clearTimeout(timer);
  gpuErrors.push(...teardown);

  if (failed) {
    if (gpuErrors.length === 0) throw failure;
    const e = new Error(`${name}: ${message(failure)}\n(also: ${gpuErrors.join("; ")})`, { cause: failure });
    throw e;
  }
  if (gpuErrors.length > 0) throw new Error(`${name}: ${gpuErrors.join("; ")}`);
  return { status: "passed", value: value as T, buffers: buffers.size, adapter, lost: settled };
}
