/**
 * Waiting for a Deno worker's OS thread to end (docs/deno-exit-crash.md).
 *
 * Deno's `worker.terminate()` (and `self.close()`) returns before the worker's thread has torn
 * its runtime down; nothing joins that thread, so a process that exits right after a
 * `World.close()` runs its exit handlers (glibc `atexit`, `_dl_fini`: libEGL's and the Vulkan
 * driver's destructors) while the worker threads are still dropping their WebGPU instances
 * (vkDestroyInstance, eglTerminate, dlclose of the lavapipe driver). That race corrupts the heap
 * or calls into unloaded code: "corrupted size vs. prev_size", "double free or corruption",
 * "malloc_consolidate(): invalid chunk size", or a segmentation fault, after all the work is done.
 *
 * The fix: each rank worker reports its OS thread id in its ready message (`osThreadId`), and
 * the launcher's `terminate()` waits until that thread is gone from `/proc/self/task`
 * (`osThreadEnded`). Linux only (elsewhere there is no `/proc`, and nothing to wait for), and
 * only with read permission for `/proc` (queried, never prompted for); otherwise both are no-ops.
 */

interface DenoProcApi {
  readLinkSync(path: string): string;
  statSync(path: string): unknown;
  permissions?: { querySync?(desc: { name: "read"; path: string }): { state: string } };
  build?: { os?: string };
}

function denoProc(path: string): DenoProcApi | undefined {
  const deno = (globalThis as { Deno?: DenoProcApi }).Deno;
  if (deno === undefined || deno.build?.os !== "linux") return undefined;
  try {
    // Never prompt: only where read access to /proc is granted already.
    if (deno.permissions?.querySync?.({ name: "read", path }).state !== "granted") return undefined;
  } catch {
    return undefined;
  }
  return deno;
}

/**
 * The OS thread id of the calling thread (a Deno worker's), as a decimal string; undefined
 * outside Deno on Linux or without read permission for `/proc/thread-self`.
 */
export function osThreadId(): string | undefined {
  const deno = denoProc("/proc/thread-self");
  if (deno === undefined) return undefined;
  try {
    const tid = deno.readLinkSync("/proc/thread-self").split("/").pop(); // "<pid>/task/<tid>"
    return tid !== undefined && /^\d+$/.test(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** How long `osThreadEnded` waits at most: a worker thread of a rank with a device ends in 30–400 ms here. */
export const THREAD_EXIT_TIMEOUT_MS = 3000;

/**
 * Resolves once OS thread `tid` of this process has ended (its `/proc/self/task/<tid>` entry is
 * gone), or after `timeoutMs`; at once when `tid` is undefined or `/proc` cannot be read. Never
 * rejects. Polls every 5 ms.
 */
export async function osThreadEnded(tid: string | undefined, timeoutMs = THREAD_EXIT_TIMEOUT_MS): Promise<void> {
  if (tid === undefined || !/^\d+$/.test(tid)) return;
  const path = `/proc/self/task/${tid}`;
  const deno = denoProc(path);
  if (deno === undefined) return;
  const alive = (): boolean => {
    try {
      deno.statSync(path);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The field a rank worker's ready message carries its thread id in (see `osThreadId`). */
export const THREAD_FIELD = "osThread";

/** The OS thread id a ready message carries, if any. */
export function threadOfMessage(data: unknown): string | undefined {
  const v = typeof data === "object" && data !== null ? (data as Record<string, unknown>)[THREAD_FIELD] : undefined;
  return typeof v === "string" ? v : undefined;
}
