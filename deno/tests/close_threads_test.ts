// Deno test: world.close() resolves only once the rank workers' OS threads have ended, so a
// process that exits right after it cannot crash in its exit handlers while those threads still
// tear down their WebGPU instances (docs/deno-exit-crash.md; the fix is src/launch/thread-exit.ts).
// Linux only (it counts the process's threads in /proc/self/task); needs -A, as Deno asks for /proc.
import { launch } from "../../src/index.ts";
import { webgpuSkipReason } from "./gpu.ts";

function skipReason(): string | undefined {
  if (Deno.build.os !== "linux") return `threads are counted in /proc/self/task, which ${Deno.build.os} does not have`;
  try {
    Deno.readDirSync("/proc/self/task");
  } catch (e) {
    return `cannot read /proc/self/task (run with -A): ${e instanceof Error ? e.message : e}`;
  }
  return undefined;
}

const skip = skipReason() ?? await webgpuSkipReason();
if (skip !== undefined) console.warn(`SKIP close waits for the worker threads: ${skip}`);

/** The threads of this process by id, with their names (a Deno worker's thread is "worker-<n>"). */
function threads(): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      out.set(e.name, Deno.readTextFileSync(`/proc/self/task/${e.name}/comm`).trim());
    } catch {
      // ended while being listed
    }
  }
  return out;
}

Deno.test({
  name: "world.close() (4 ranks, webgpu) resolves after every rank worker's thread, and its driver threads, ended",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const before = threads();
    const world = await launch({
      worldSize: 4,
      heapBytes: 1 << 20,
      backend: "webgpu",
      rankModule: new URL("../hello-ranks.ts", import.meta.url),
    });
    let started: Map<string, string>;
    try {
      await world.run("barrierAll");
      started = new Map([...threads()].filter(([tid]) => !before.has(tid)));
    } finally {
      await world.close();
    }
    // The rank workers' threads ("worker-<n>") and the threads lavapipe started from them (named
    // after them, and "llvmpipe-<n>"). Deno's own pools may keep threads they started meanwhile.
    const ours = [...started].filter(([, name]) => /^(worker-\d+|llvmpipe-\d+)$/.test(name));
    if (ours.length < 4) {
      throw new Error(`expected at least 4 rank worker threads while the world ran, found ${ours.length}: ` +
        `${[...started.values()].join(", ") || "none"}`);
    }
    const after = threads();
    const left = ours.filter(([tid]) => after.has(tid));
    if (left.length > 0) {
      throw new Error(`world.close() resolved with ${left.length} of the world's ${ours.length} worker threads still ` +
        `running (${left.map(([tid, name]) => `${name}/${tid}`).join(", ")}): a process exiting now may crash ` +
        "(docs/deno-exit-crash.md)");
    }
    console.log(`  ${ours.length} worker and driver threads, all ended when close() resolved`);
  },
});
