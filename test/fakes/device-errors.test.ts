// The device's uncaptured errors reach the next readback as a DeviceError (src/backends/webgpu/
// device-errors.ts), on the fake GPUDevice: its listener is captured and fed events the way a
// real device fires them. The real event path runs in deno/tests/device_errors_test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { DeviceError } from "../../src/core/errors.ts";
import { DeviceErrors } from "../../src/backends/webgpu/device-errors.ts";
import { StagingRing } from "../../src/backends/webgpu/staging-ring.ts";
import { createFakeDevice } from "./fake-gpu.ts";
import { installWebGPUGlobals } from "./webgpu-globals.ts";

class GPUOutOfMemoryError {
  constructor(readonly message: string) {}
}
class GPUValidationError {
  constructor(readonly message: string) {}
}

function setUp() {
  const { device } = createFakeDevice();
  let listener: ((e: Event) => void) | undefined;
  (device as unknown as { addEventListener: (t: string, fn: (e: Event) => void) => void }).addEventListener = (t, fn) => {
    if (t === "uncapturederror") listener = fn;
  };
  const errors = new DeviceErrors(device);
  const fire = (error: object) => listener!(Object.assign(new Event("uncapturederror"), { error }));
  const ring = new StagingRing(device, errors);
  const src = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  return { device, errors, fire, ring, src, listening: () => listener !== undefined };
}

beforeAll(() => installWebGPUGlobals());

describe("device errors (webgpu backend)", () => {
  it("the next readback throws the first uncaptured error as a DeviceError, with how many came, once", async () => {
    const { fire, ring, src, listening } = setUp();
    expect(listening()).toBe(true);
    await expect(ring.read(src, 16, (m) => m.length)).resolves.toBe(16);
    fire(new GPUOutOfMemoryError("vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY\n"));
    fire(new GPUValidationError("[Invalid Buffer \"webshmem storage 1073741824\"] is invalid due to a previous error."));
    const err = await ring.read(src, 16, () => "bytes").then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    const d = err as DeviceError;
    expect(d.name).toBe("DeviceError");
    expect(d.gpuErrorType).toBe("GPUOutOfMemoryError");
    expect(d.count).toBe(2);
    expect(d.message).toBe("webgpu readback: the GPU device reported 2 errors since the last readback, the first " +
      "GPUOutOfMemoryError: vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY; what the device computed since then is not valid");
    // Reported once; the staging buffer went back to the ring unmapped (the next read maps it again).
    await expect(ring.read(src, 16, (m) => m.length)).resolves.toBe(16);
    expect(ring.buffersCreated).toBeLessThanOrEqual(3);
  });

  it("a single error says so; throwIfAny is silent without errors", () => {
    const { errors, fire } = setUp();
    expect(() => errors.throwIfAny("x")).not.toThrow();
    fire(new GPUValidationError("bad usage"));
    expect(() => errors.throwIfAny("x")).toThrow(/^x: the GPU device reported an error since the last readback, the first GPUValidationError: bad usage;/);
    expect(() => errors.throwIfAny("x")).not.toThrow();
  });

  it("a device without events (an old runtime) reports nothing and readbacks work as before", async () => {
    const { device } = createFakeDevice();
    (device as unknown as { addEventListener?: unknown }).addEventListener = undefined;
    const ring = new StagingRing(device, new DeviceErrors(device));
    const src = device.createBuffer({ size: 256, usage: GPUBufferUsage.COPY_SRC });
    await expect(ring.read(src, 8, (m) => m.length)).resolves.toBe(8);
  });
});
