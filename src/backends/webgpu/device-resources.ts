/**
 * What the webgpu backend keeps per device: the program runner, the staging ring, the storage
 * pool and the reducer. Made on first use, released by `releaseDeviceResources` (the backend's
 * shutdown, before the rank destroys its device) or dropped with the device object.
 */
import { BufferPool } from "./buffer-pool.ts";
import { cachedPerDevice, dropPerDevice } from "./pipeline-cache.ts";
import { ProgramRunner } from "./program-runner.ts";
import { StagingRing } from "./staging-ring.ts";

export interface DeviceResources {
  readonly runner: ProgramRunner;
  readonly staging: StagingRing;
  readonly pool: BufferPool;
}

export function resourcesOf(device: GPUDevice): DeviceResources {
  return cachedPerDevice(device, "resources", () => ({
    runner: new ProgramRunner(device),
    staging: new StagingRing(device),
    pool: new BufferPool(device),
  }));
}

/** Destroys the pooled buffers and forgets the device's pipelines and resources. */
export function releaseDeviceResources(device: GPUDevice): void {
  const r = cachedPerDevice<DeviceResources | undefined>(device, "resources", () => undefined);
  r?.staging.destroy();
  r?.pool.destroy();
  dropPerDevice(device);
}
