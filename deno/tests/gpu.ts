import { deviceSkipReason, type DeviceTestContext, withDevice, type WithDeviceOptions } from "../../test/shared/with-device.ts";

/** Why WebGPU tests cannot run in this Deno, or undefined when an adapter is there. */
export async function webgpuSkipReason(): Promise<string | undefined> {
  if (!("gpu" in navigator)) return "navigator.gpu is missing in this Deno build";
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) {
    return "no WebGPU adapter: install a Vulkan driver (Debian: apt-get install -y mesa-vulkan-drivers)";
  }
  return undefined;
}

let probed: Promise<string | undefined> | undefined;

/**
 * Registers a Deno test that runs `fn` on its own device (test/shared/with-device.ts). With no
 * adapter the test is ignored and the reason printed (`SKIP <name>: <reason>`); should the adapter
 * go away after registration, the test prints the same line and returns. A string result is
 * printed as the test's summary. Await it at the top level (the adapter probe is asynchronous).
 */
export async function testWithDevice(
  name: string,
  fn: (device: GPUDevice, ctx: DeviceTestContext) => Promise<string | void>,
  opts: WithDeviceOptions = {},
): Promise<void> {
  probed ??= deviceSkipReason();
  const skip = await probed;
  if (skip !== undefined) console.warn(`SKIP ${name}: ${skip}`);
  Deno.test({
    name,
    ignore: skip !== undefined,
    async fn() {
      const outcome = await withDevice(name, fn, opts);
      if (outcome.status === "skipped") {
        console.warn(`SKIP ${name}: ${outcome.reason}`);
        return;
      }
      const summary = typeof outcome.value === "string" ? `${outcome.value}; ` : "";
      console.log(`  ${summary}${outcome.buffers} buffers tracked and destroyed, device ${outcome.lost}`);
    },
  });
}
