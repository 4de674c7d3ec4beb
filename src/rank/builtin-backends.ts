import { listBackends, registerBackend } from "../backends/backend.ts";
import { cpuBackend } from "../backends/cpu/cpu-backend.ts";
import { webgpuBackend } from "../backends/webgpu/webgpu-backend.ts";

/** The in-tree backends, registered through the same public call a plugin uses. */
export function registerBuiltinBackends(): void {
  const have = listBackends();
  if (!have.includes("cpu")) registerBackend(cpuBackend);
  if (!have.includes("webgpu")) registerBackend(webgpuBackend);
}

registerBuiltinBackends();
