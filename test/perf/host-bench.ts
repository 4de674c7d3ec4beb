/**
 * Times webshmem::host_all_reduce_ against the staging floor measured in the same run, on Deno.
 * Not a test; run it by hand (it is also its own rank module):
 *
 *   npx deno run -A --no-check test/perf/host-bench.ts [--sizes 16,64] [--chunks 1,2,4,8] [--rounds 3] [--iters 5]
 *   npx deno run -A --no-check test/perf/host-bench.ts --cpu [--ranks 2]
 *
 * webgpu (default, 4 ranks, float32): per size, the staging floor is every rank, concurrently,
 * uploading S bytes from its heap (writeBuffer, 16 MiB at a time) and reading S bytes back into
 * its heap (copyBufferToBuffer + mapAsync per chunk, all chunks in flight), in the fastest of the
 * chunkings tried (1, 4, 16 MiB and whole); then host_all_reduce_ with each chunk size. Each
 * measurement is `iters` calls back to back with a barrier after each and one
 * onSubmittedWorkDone at the end (the writes of the last call are included), averaged, slowest
 * rank; variants are interleaved over `rounds` rounds and the median round is reported, so drift
 * on a shared machine hits all of them alike. Every host_all_reduce_ result is checked.
 * `--chunks` entries are `C` or `C:in:out` (chunk MiB, in-slots, out-slots); `--trace` prints
 * each rank's per-chunk timeline on one clock. The rank functions (setupGpu, measureGpu with
 * "floor:C", "seq:C" — the floor's copies in the pipeline's order, without peers — or
 * "host:C[:in:out]", traceGpu, formatTraces) also run in Chromium workers.
 *
 * --cpu (2 ranks by default): heap tensors (symmetric, in place) and CpuTensors, µs per call and
 * busbw (= algbw × 2(n-1)/n) at 8 B .. 32 MiB, beside symm_mem::two_shot_all_reduce_.
 */
import {
  DEFAULT_HOST_TUNING, type GpuTensor, HOST_TRACE_EVENT, type HostAllReduceTrace, launch, type Rank, sharedSource,
  type SymmetricTensor,
} from "../../src/internal.ts";

declare const Deno: { args: string[] };

const MiB = 1 << 20;

// ── rank side ──

interface GpuState {
  t: GpuTensor;
  scratch: GpuTensor;
  heap: SymmetricTensor<"uint8">;
  stagings: GPUBuffer[];
  ones: Float32Array<ArrayBuffer>;
}
let state: GpuState | undefined;

export async function setupGpu(rank: Rank, bytes: number): Promise<void> {
  teardownGpu(rank);
  const device = rank.device!;
  const n = bytes / 4;
  const ones = new Float32Array(n).fill(1);
  const t = rank.tensor(ones) as GpuTensor;
  const scratch = rank.zeros([n]) as GpuTensor;
  const heap = rank.symm.empty([bytes], "uint8");
  await rank.symm.rendezvous(heap);
  state = { t, scratch, heap, stagings: [], ones };
  await device.queue.onSubmittedWorkDone();
}

export function teardownGpu(_rank: Rank): void {
  if (state === undefined) return;
  state.t.buffer.destroy();
  state.scratch.buffer.destroy();
  state.stagings.forEach((s) => s.destroy());
  _rank.symm.free(state.heap);
  state = undefined;
}

/** One staging-floor pass: upload S from the heap, read S back into the heap in `chunk`-byte pieces. */
async function floorOnce(device: GPUDevice, s: GpuState, chunk: number): Promise<void> {
  const S = s.t.nbytes;
  const heap = s.heap.bytes as Uint8Array<SharedArrayBuffer>;
  for (let o = 0; o < S; o += 16 * MiB) {
    device.queue.writeBuffer(s.scratch.buffer, o, sharedSource(heap.subarray(o, Math.min(S, o + 16 * MiB))));
  }
  const maps: Promise<void>[] = [];
  for (let o = 0, k = 0; o < S; o += chunk, k++) {
    const n = Math.min(chunk, S - o);
    s.stagings[k] ??= device.createBuffer({ size: chunk, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const staging = s.stagings[k];
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(s.t.buffer, o, staging, 0, n);
    device.queue.submit([enc.finish()]);
    maps.push(staging.mapAsync(GPUMapMode.READ, 0, n).then(() => {
      heap.set(new Uint8Array(staging.getMappedRange(0, n)), o);
      staging.unmap();
    }));
  }
  await Promise.all(maps);
}

/**
 * The floor's copies in the host pipeline's order, per rank, with no reduction and no peer:
 * read every chunk back, and as each lands, upload it. Tells the cost of the ordering itself.
 */
async function readThenWrite(device: GPUDevice, s: GpuState, chunk: number): Promise<void> {
  const S = s.t.nbytes;
  const heap = s.heap.bytes as Uint8Array<SharedArrayBuffer>;
  const maps: Promise<void>[] = [];
  for (let o = 0, k = 0; o < S; o += chunk, k++) {
    const n = Math.min(chunk, S - o);
    s.stagings[k] ??= device.createBuffer({ size: chunk, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const staging = s.stagings[k];
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(s.t.buffer, o, staging, 0, n);
    device.queue.submit([enc.finish()]);
    maps.push(staging.mapAsync(GPUMapMode.READ, 0, n).then(() => {
      heap.set(new Uint8Array(staging.getMappedRange(0, n)), o);
      staging.unmap();
      device.queue.writeBuffer(s.scratch.buffer, o, sharedSource(heap.subarray(o, o + n)));
    }));
  }
  await Promise.all(maps);
}

/** Mean ms per iteration of the floor (kind "floor:<chunk>") or host_all_reduce_ ("host:<chunk>"). */
export async function measureGpu(rank: Rank, kind: string, iters: number): Promise<{ ms: number; wrong: number }> {
  const s = state!;
  const device = rank.device!;
  // "floor:<chunk MiB>", "seq:<chunk MiB>" or "host:<chunk MiB>[:<inSlots>:<outSlots>]"; chunk 0 = whole tensor
  const [what, arg, inSlots, outSlots] = kind.split(":");
  const chunk = Number(arg) * MiB || s.t.nbytes;
  if ((what === "floor" || what === "seq") && s.stagings.length > 0 && s.stagings[0].size !== chunk) {
    s.stagings.forEach((b) => b.destroy());
    s.stagings = [];
  }
  const pads = rank.symm.world.pads;
  let wrong = 0;
  const once = async () => {
    if (what === "floor") return floorOnce(device, s, chunk);
    if (what === "seq") return readThenWrite(device, s, chunk);
    await rank.call("webshmem::host_all_reduce_", s.t, "sum", "world");
  };
  if (what === "host") {
    rank.configure("webshmem::host_all_reduce_", {
      chunkBytes: chunk, inSlots: Number(inSlots ?? DEFAULT_HOST_TUNING.inSlots), outSlots: Number(outSlots ?? DEFAULT_HOST_TUNING.outSlots),
    });
  }
  // reset the input to ones (the sums grow by a factor `world` per call, exactly, in f32)
  device.queue.writeBuffer(s.t.buffer, 0, s.ones);
  await once(); // warm-up (pipelines, staging buffers, workspace)
  await device.queue.onSubmittedWorkDone();
  await pads.barrier();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    await once();
    await pads.barrier();
  }
  await device.queue.onSubmittedWorkDone();
  const ms = (performance.now() - t0) / iters;
  if (what === "host") {
    const got = new Float32Array(await rank.read(s.t) as Float32Array);
    const want = rank.worldSize ** (iters + 1);
    for (let i = 0; i < got.length; i++) if (got[i] !== want) wrong++;
  }
  await pads.barrier();
  return { ms, wrong };
}

/** µs per call of `op` on `bytes` of float32 (cpu backend), averaged over `iters`. */
/** Per-chunk timeline of the last of `calls` more host_all_reduce_ calls on this rank (after a measureGpu of it). */
export async function traceGpu(rank: Rank, calls = 1): Promise<HostAllReduceTrace> {
  let last: HostAllReduceTrace | undefined;
  const off = rank.onEvent((e) => {
    if (e.kind === HOST_TRACE_EVENT) last = e.data as HostAllReduceTrace;
  });
  try {
    for (let i = 0; i < calls; i++) {
      await rank.symm.world.pads.barrier();
      await rank.call("webshmem::host_all_reduce_", state!.t, "sum", "world");
    }
    await rank.device!.queue.onSubmittedWorkDone();
  } finally {
    off();
  }
  if (last === undefined) throw new Error("traceGpu: the host all-reduce emitted no trace (it did not pipeline)");
  return last;
}

/** The ranks' traces on one clock (ms from the earliest rank's start), one line per rank. */
export function formatTraces(traces: readonly HostAllReduceTrace[]): string[] {
  const base = Math.min(...traces.map((t) => t.origin));
  return traces.map((t, r) => {
    const d = t.origin - base;
    const f = (xs: number[]) => xs.map((x) => (x + d).toFixed(1)).join(" ");
    return `rank ${r}: start ${(t.started + d).toFixed(1)} | staged ${f(t.staged)} | reduced ${f(t.reduced)} | ` +
      `uploaded ${f(t.uploaded)} | reduce ${t.reduceMs.toFixed(1)} ms, write ${t.writeMs.toFixed(1)} ms | ` +
      `woke late: median ${(t.wakeDelays[t.wakeDelays.length >> 1] ?? 0).toFixed(2)} max ${(t.wakeDelays.at(-1) ?? 0).toFixed(2)} ms of ${t.wakeDelays.length} | end ${(t.end + d).toFixed(1)}`;
  });
}

export async function measureCpu(rank: Rank, op: string, placement: "heap" | "regular", bytes: number, iters: number) {
  const n = Math.max(1, bytes / 4);
  const t = placement === "heap" ? rank.symm.empty([n], "float32") : rank.tensor(new Float32Array(n).fill(1));
  if (placement === "heap") {
    (t as SymmetricTensor<"float32">).data.fill(1);
    await rank.symm.rendezvous(t as SymmetricTensor);
  }
  const call = () => rank.call(op, t, "sum", "world");
  for (let i = 0; i < Math.min(2000, iters); i++) await call(); // warm-up: JIT, workspace
  await rank.symm.world.pads.barrier();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) await call();
  const us = ((performance.now() - t0) * 1000) / iters;
  await rank.symm.world.pads.barrier();
  if (placement === "heap") rank.symm.free(t as SymmetricTensor);
  return us;
}

// ── main ──

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function gpuMain(): Promise<void> {
  const sizes = flag("sizes", "16,64").split(",").map(Number);
  const chunks = flag("chunks", "1,2,4,8").split(",");
  const rounds = Number(flag("rounds", "3"));
  const iters = Number(flag("iters", "5"));
  const ranks = Number(flag("ranks", "4"));
  const maxSize = Math.max(...sizes) * MiB;
  const world = await launch({
    worldSize: ranks, heapBytes: 3 * maxSize + 64 * MiB, backend: "webgpu", rankModule: import.meta.url, timeoutMs: 120_000,
  });
  try {
    console.log(`# host_all_reduce_ vs staging floor, deno webgpu, ${ranks} ranks, float32, median of ${rounds} rounds × ${iters} iterations`);
    for (const sizeMiB of sizes) {
      const S = sizeMiB * MiB;
      await world.run("setupGpu", S);
      const floors = ["floor:1", "floor:4", "floor:16", "floor:0"].filter((k) => Number(k.split(":")[1]) <= sizeMiB);
      const variants = [...floors, ...chunks.map((c) => `host:${c}`)];
      const times = new Map<string, number[]>(variants.map((v) => [v, []]));
      let wrong = 0;
      for (let r = 0; r < rounds; r++) {
        for (const v of variants) {
          const res = await world.run<{ ms: number; wrong: number }>("measureGpu", v, iters);
          times.get(v)!.push(Math.max(...res.map((x) => x.ms)));
          wrong += res.reduce((a, x) => a + x.wrong, 0);
        }
      }
      const floorMs = Math.min(...floors.map((f) => median(times.get(f)!)));
      for (const v of variants) {
        const ms = median(times.get(v)!);
        const [, c, i, o] = v.split(":");
        const label = v.startsWith("floor") ? `floor, readback chunks ${c === "0" ? "whole" : `${c} MiB`}` :
          `host_all_reduce_, chunk ${c} MiB${i ? ` in ${i} out ${o}` : ""}`;
        console.log(`${String(sizeMiB).padStart(4)} MiB  ${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ` +
          `${(ms / floorMs).toFixed(2)} × floor   (rounds: ${times.get(v)!.map((x) => x.toFixed(1)).join(" ")})`);
      }
      console.log(`${String(sizeMiB).padStart(4)} MiB  wrong elements: ${wrong}`);
      if (Deno.args.includes("--trace")) {
        for (const v of variants.filter((x) => x.startsWith("host"))) {
          await world.run("measureGpu", v, 1);
          const traces = await world.run<HostAllReduceTrace>("traceGpu");
          console.log(`  trace ${v} (ms from the first rank's start):`);
          for (const l of formatTraces(traces)) console.log(`    ${l}`);
        }
      }
      await world.run("teardownGpu");
    }
  } finally {
    await world.close();
  }
}

async function cpuMain(): Promise<void> {
  const ranks = Number(flag("ranks", "2"));
  const world = await launch({ worldSize: ranks, heapBytes: 256 * MiB, backend: "cpu", rankModule: import.meta.url });
  try {
    console.log(`# cpu backend, deno, ${ranks} ranks, float32 sum: µs per call, busbw GB/s`);
    for (const bytes of [8, 2048, 128 << 10, 2 * MiB, 8 * MiB, 32 * MiB]) {
      const iters = bytes <= 2048 ? 20000 : bytes <= 2 * MiB ? 200 : 20;
      const cells: string[] = [];
      for (const [op, placement] of [["webshmem::host_all_reduce_", "heap"], ["webshmem::host_all_reduce_", "regular"],
        ["symm_mem::two_shot_all_reduce_", "heap"]] as const) {
        const us = Math.max(...await world.run<number>("measureCpu", op, placement, bytes, iters));
        const busbw = (bytes / (us * 1e-6) / 1e9) * (2 * (ranks - 1)) / ranks;
        cells.push(`${op.split("::")[1]} ${placement}: ${us.toFixed(1)} µs ${busbw.toFixed(2)} GB/s`);
      }
      console.log(`${String(bytes).padStart(9)} B  ${cells.join(" | ")}`);
    }
  } finally {
    await world.close();
  }
}

if ((import.meta as { main?: boolean }).main) {
  if (Deno.args.includes("--cpu")) await cpuMain();
  else await gpuMain();
}
