/**
 * How long the runtime takes to report finished GPU work, one device, one thread: the floor under
 * every small all-reduce of device tensors (T2 in BENCHMARKS.md). Not a test (no assertions on
 * time); run it by hand:
 *
 *   npx deno run -A --no-check test/perf/gpu-poll-tick.ts [--reps 20]
 *
 * Each probe is timed `reps` times after two warm-ups; the median is printed (ms):
 *   roundtrip       writeBuffer 8 B + copy + submit + mapAsync of the copy (the benchmark's baseline)
 *   done            onSubmittedWorkDone on an idle queue
 *   roundtrip+done  the two one after the other: a small all-reduce (readback, then the drain)
 *   together        the two issued at once, awaited together
 *   busy-loop       roundtrip while the event loop is kept busy with zero-delay timers
 * Deno 2.9 on lavapipe: roundtrip and done each take one poll tick (~11 ms), roundtrip+done two,
 * together one, busy-loop one: each request waits for a tick of its own, and only requests in
 * flight at the same time share one.
 */
export {};

const argv: readonly string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? [];
const at = argv.indexOf("--reps");
const reps = at >= 0 ? Number(argv[at + 1]) : 20;
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, found ${argv[at + 1]}`);

const adapter = await navigator.gpu?.requestAdapter();
if (!adapter) {
  console.log("no WebGPU adapter in this runtime: nothing to measure");
} else {
  const device = await adapter.requestDevice();
  const src = device.createBuffer({ size: 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const dst = device.createBuffer({ size: 8, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const bytes = new Uint8Array(8);

  const roundtrip = async () => {
    device.queue.writeBuffer(src, 0, bytes);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, 8);
    device.queue.submit([enc.finish()]);
    await dst.mapAsync(GPUMapMode.READ);
    dst.unmap();
  };
  const done = () => device.queue.onSubmittedWorkDone();
  const busy = async () => {
    let spinning = true;
    const tick = () => { if (spinning) setTimeout(tick, 0); };
    tick();
    try {
      await roundtrip();
    } finally {
      spinning = false;
    }
  };
  const probes: [string, () => Promise<unknown>][] = [
    ["roundtrip", roundtrip],
    ["done", done],
    ["roundtrip+done", async () => { await roundtrip(); await done(); }],
    ["together", () => Promise.all([roundtrip(), done()])],
    ["busy-loop", busy],
  ];
  console.log(`# ${adapter.info?.description || adapter.info?.vendor || "adapter"}, ${reps} reps, median ms`);
  for (const [name, f] of probes) {
    await f();
    await f();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await f();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const med = times[times.length >> 1];
    console.log(`${name.padEnd(16)} ${med.toFixed(2).padStart(8)}   (min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)})`);
  }
  device.destroy();
}
