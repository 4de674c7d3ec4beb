// Minimal reproduction of Deno's crash at exit with WebGPU in workers (docs/deno-exit-crash.md).
// No webshmem code: workers get a WebGPU adapter (and by default a device), the main thread
// terminates them and the process exits at once. About 1 run in 17 ends in a glibc abort or a
// segmentation fault after "done" is printed (Deno 2.9.6, lavapipe, 2 cores).
//
//   deno run -A scripts/repro/deno-exit-crash.js [flags]      (or scripts/repro/deno-exit-crash-loop.sh)
//
//   --workers=N       workers per round (default 8)
//   --rounds=N        rounds of start/terminate (default 1)
//   --gpu=device|adapter|none   what each worker gets: adapter + device (default), the adapter
//                     only (still crashes), nothing (never crashes)
//   --work            each worker also writes, copies and maps a buffer (mapAsync) first
//   --destroy         each worker destroys its device (after onSubmittedWorkDone) before it is ended
//   --await-lost      ... and awaits device.lost
//   --self-close      workers call self.close() instead of being terminated (use with --no-terminate)
//   --no-terminate    the main thread does not terminate the workers
//   --set-env-vulkan  Deno.env.set("DENO_WEBGPU_BACKEND", "vulkan") first: no GL backend, no libEGL
//   --sleep=MS        wait MS ms after terminating, before exiting (1000: no crash)
//   --wait-threads    after terminating, wait until each worker's OS thread is gone from
//                     /proc/self/task (the fix: no crash)
//   --exit            end with Deno.exit(0) instead of returning
const flag = (n) => Deno.args.includes(`--${n}`);
const value = (n, d) => Deno.args.find((a) => a.startsWith(`--${n}=`))?.split("=")[1] ?? d;
const workers = Number(value("workers", 8)), rounds = Number(value("rounds", 1));
const opts = {
  gpu: value("gpu", "device"), work: flag("work"), destroy: flag("destroy"), awaitLost: flag("await-lost"),
  selfClose: flag("self-close"),
};
if (flag("set-env-vulkan")) Deno.env.set("DENO_WEBGPU_BACKEND", "vulkan");
const url = new URL("./deno-exit-crash-worker.js", import.meta.url);
const ask = (w, msg) => {
  const reply = new Promise((res) => w.addEventListener("message", (e) => res(e.data), { once: true }));
  w.postMessage(msg);
  return reply;
};
const alive = (tid) => {
  try {
    Deno.statSync(`/proc/self/task/${tid}`);
    return true;
  } catch {
    return false;
  }
};
const waited = [];
for (let r = 0; r < rounds; r++) {
  const ws = Array.from({ length: workers }, () => new Worker(url, { type: "module" }));
  const tids = (await Promise.all(ws.map((w) => ask(w, { cmd: "init", opts })))).map((m) => m.tid);
  await Promise.all(ws.map((w) => ask(w, { cmd: "shutdown" })));
  if (!flag("no-terminate")) for (const w of ws) w.terminate();
  if (flag("wait-threads")) {
    const t0 = performance.now();
    while (tids.some(alive)) await new Promise((res) => setTimeout(res, 2));
    waited.push(performance.now() - t0);
  }
}
const sleep = Number(value("sleep", 0));
if (sleep > 0) await new Promise((res) => setTimeout(res, sleep));
const note = waited.length > 0 ? `; waited ${waited.map((t) => t.toFixed(0)).join(", ")} ms for the worker threads to end` : "";
console.log(`done: ${rounds} round(s) of ${workers} workers${note}`);
if (flag("exit")) Deno.exit(0);
