/**
 * The one tuning table `--algo auto` and the high-level API consult to pick an all-reduce
 * algorithm by size, as NCCL's tuner does. Entries are per backend and runtime
 * (`webgpu/deno`, `webgpu/chromium`, ...), falling back to the backend's entry. Every entry is
 * justified by measurements from BENCHMARKS.md (this machine: 2 cores, software GPUs), made with
 * `npm run bench -- --algo <one_shot|two_shot|host> ...` in one session; times are the benchmark's
 * (slowest rank's mean, in µs).
 */
export type AllReduceAlgo = "one_shot" | "two_shot" | "host";

export interface TuningEntry {
  /** The entry applies to tensors of at most this many bytes (Infinity: any size). */
  readonly upToBytes: number;
  readonly algo: AllReduceAlgo;
}

export type AllReduceTuning = readonly TuningEntry[];

const KiB = 1024;

export const ALL_REDUCE_TUNING: Readonly<Record<string, AllReduceTuning>> = {
  // On webgpu "host" is one entry for three paths: up to its oneRoundMaxBytes the host op reads
  // back, synchronises once and reduces whole on every rank; up to its reduceOnceMaxBytes it reads
  // back and the last rank to arrive reduces once for every rank (both the shape of the naive
  // postMessage loop); above, the chunked pipeline. The limits, per runtime and rank count, are
  // measured in src/ops/webshmem/host-tuning.ts.
  // Deno, lavapipe, 4 ranks (docs/bench/results/deno-webgpu-4*.txt): below 512 KiB every algorithm
  // is two GPU round trips (readback + queue drain, ~11 ms each): one_shot 23.1-23.7 ms, host
  // 23.3-24.3 ms. From 2 MiB the host pipeline wins: 2 MiB one_shot 32.8 / host 26.1 ms, 8 MiB
  // one_shot 58.5 / host 32.0 ms, 32 MiB two_shot 167.9 / host 52.0 ms. One algorithm for every size.
  "webgpu/deno": [{ upToBytes: Infinity, algo: "host" }],
  // Chromium, SwiftShader, 4 ranks (docs/bench/results/chromium-webgpu-4*.txt): host is faster at
  // every size: 8 B 3.8 ms (one_shot) vs 2.0 ms, 128 KiB 5.5 vs 3.0 ms, 2 MiB 33.5 vs 6.6 ms,
  // 32 MiB 156.9 (two_shot) vs 53.8 ms.
  "webgpu/chromium": [{ upToBytes: Infinity, algo: "host" }],
  // Node, Dawn on SwiftShader, 4 ranks (docs/bench/results/node-webgpu/node-webgpu-4-*.txt, 2026-12-01),
  // best column in µs: up to 4 KiB every algorithm is 2-9 ms of noise (one_shot 2.2-5.2 ms, two_shot
  // 3.1-5.0, host 2.7-4.2: the waits, not the readback, cost the time); from 32 KiB host wins:
  // 32 KiB host 1.4 ms vs one_shot 3.5 / two_shot 13.1, 2 MiB 7.9 vs 55.9 / 25.0, 16 MiB 64.4 vs
  // 431.8 / 156.6 (readbacks are cheap here, but the WGSL reduction on SwiftShader is not).
  "webgpu/node": [{ upToBytes: Infinity, algo: "host" }],
  // Any other runtime with WebGPU: the same shape as Deno's (readbacks dominate).
  webgpu: [{ upToBytes: Infinity, algo: "host" }],
  // cpu, heap tensors, Deno, 2 ranks (docs/bench/results/deno-cpu-2*.txt): one_shot is best for
  // the smallest messages (32 B 10.2 µs vs host 7.4, 128 B 15.5 vs 34.6, 512 B 13.0 vs 51.0:
  // one barrier pair and a read of the peers), host from 2 KiB (2 KiB 147.7 vs 13.0 µs, 128 KiB
  // 277.5 vs 26.6 µs), two_shot from 512 KiB (512 KiB 45.7 vs host 316.5 µs, 2 MiB 163.7 vs 497.0).
  // At 8-32 MiB two_shot and host are within noise (808 vs 720 µs, 4288 vs 3844 µs).
  cpu: [
    { upToBytes: 512, algo: "one_shot" },
    { upToBytes: 256 * KiB, algo: "host" },
    { upToBytes: Infinity, algo: "two_shot" },
  ],
};

/** Used for a backend the table does not list (a plugin): the cpu entry, the conservative one. */
export const DEFAULT_ALL_REDUCE_TUNING: AllReduceTuning = ALL_REDUCE_TUNING.cpu;

export function allReduceTuning(backend: string, runtime?: string): AllReduceTuning {
  return (runtime !== undefined ? ALL_REDUCE_TUNING[`${backend}/${runtime}`] : undefined) ??
    ALL_REDUCE_TUNING[backend] ?? DEFAULT_ALL_REDUCE_TUNING;
}

/** The algorithm for `bytes` on `backend` (and `runtime`) in a group of `worldSize` ranks. */
export function chooseAllReduceAlgo(backend: string, bytes: number, worldSize: number, runtime?: string): AllReduceAlgo {
  // One rank has nothing to exchange; one_shot is a plain copy.
  if (worldSize <= 1) return "one_shot";
  const table = allReduceTuning(backend, runtime);
  return (table.find((e) => bytes <= e.upToBytes) ?? table[table.length - 1]).algo;
}
