/**
 * What the webgpu backend keeps per device: the program runner, the staging ring, the storage
 * pool, the reducer and the device's reported errors. Made on first use, released by
 * `releaseDeviceResources` (the backend's shutdown, before the rank destroys its device) or
 * dropped with the device object.
 */
import { BufferPool } from "./buffer-pool.ts";
import { DeviceErrors } from "./device-errors.ts";
import { cachedPerDevice, dropPerDevice } from "./pipeline-cache.ts";
import { ProgramRunner } from "./program-runner.ts";
import { StagingRing } from "./staging-ring.ts";

export interface DeviceResources {
  readonly runner: ProgramRunner;
  readonly staging: StagingRing;
  readonly pool: BufferPool;
  /** Errors the device reported, thrown by the next readback (device-errors.ts). */
  readonly errors: DeviceErrors;
}

export function resourcesOf(device: GPUDevice): DeviceResources {
  return cachedPerDevice(device, "resources", () => {
    const errors = new DeviceErrors(device);
    return { runner: new ProgramRunner(device), staging: new StagingRing(device, errors), pool: new BufferPool(device), errors };
  });
}

/** Destroys the pooled buffers and forgets the device's pipelines and resources. */
export function releaseDeviceResources(device: GPUDevice): void {
  const r = cachedPerDevice<DeviceResources | undefined>(device, "resources", () => undefined);
  r?.staging.destroy();
  r?.pool.destroy();
  dropPerDevice(device);
}
