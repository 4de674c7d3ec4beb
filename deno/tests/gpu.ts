/** Why WebGPU tests cannot run in this Deno, or undefined when an adapter is there. */
export async function webgpuSkipReason(): Promise<string | undefined> {
  if (!("gpu" in navigator)) return "navigator.gpu is missing in this Deno build";
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) {
    return "no WebGPU adapter: install a Vulkan driver (Debian: apt-get install -y mesa-vulkan-drivers)";
  }
  return undefined;
}
