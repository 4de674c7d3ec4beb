// Deno test: a real device's uncaptured error (a buffer WebGPU validation refuses) reaches the
// next readback of the webgpu backend as a DeviceError, once (src/backends/webgpu/device-errors.ts).
// Not through testWithDevice: its error scopes would capture the error before the event fires.
import { DeviceError, deviceDescriptorFor, StagingRing } from "../../src/internal.ts";
import { DeviceErrors } from "../../src/backends/webgpu/device-errors.ts";
import { webgpuSkipReason } from "./gpu.ts";

const skip = await webgpuSkipReason();
if (skip !== undefined) console.warn(`SKIP device errors: ${skip}`);

Deno.test({
  name: "a device's uncaptured error fails the next readback with DeviceError (webgpu, main thread)",
  ignore: skip !== undefined,
  async fn() {
    const adapter = (await navigator.gpu.requestAdapter())!;
    const device = await adapter.requestDevice(deviceDescriptorFor(adapter));
    try {
      const ring = new StagingRing(device, new DeviceErrors(device));
      const src = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const ok = await ring.read(src, 16, (m) => m.length);
      if (ok !== 16) throw new Error(`a clean readback gave ${ok} bytes`);
      // MAP_READ goes with COPY_DST only: validation refuses this buffer, as an uncaptured error.
      device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      const err = await ring.read(src, 16, () => "bytes").then(() => undefined, (e: unknown) => e);
      if (!(err instanceof DeviceError)) throw new Error(`expected a DeviceError, got ${err === undefined ? "the bytes" : String(err)}`);
      if (err.gpuErrorType !== "GPUValidationError" || err.count < 1) {
        throw new Error(`expected a GPUValidationError, got ${err.gpuErrorType} × ${err.count}: ${err.message}`);
      }
      if (!/^webgpu readback: the GPU device reported/.test(err.message)) throw new Error(`message: ${err.message}`);
      const again = await ring.read(src, 16, (m) => m.length);
      if (again !== 16) throw new Error("the readback after the reported error failed");
      console.log(`  ${err.message}`);
      ring.destroy();
      src.destroy();
    } finally {
      device.destroy();
    }
  },
});
