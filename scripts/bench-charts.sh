#!/usr/bin/env bash
# Regenerates the charts of BENCHMARKS.md from the JSON in docs/bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
R=docs/bench/results
chart() { out=$1; title=$2; shift 2; node scripts/bench-chart.mjs "$@" --baselines first --out "docs/bench/$out" --title "$title"; }
chart deno-webgpu-4.svg "all_reduce busbw, Deno + lavapipe, 4 ranks, float32: one_shot, two_shot, host" \
  $R/deno-webgpu-4-host.json $R/deno-webgpu-4-one_shot.json $R/deno-webgpu-4-two_shot.json
chart chromium-webgpu-4.svg "all_reduce busbw, Chromium + SwiftShader, 4 ranks, float32: one_shot/two_shot vs host" \
  $R/chromium-webgpu-4-host.json $R/chromium-webgpu-4.json
chart cpu-2-vs-mpi.svg "all_reduce busbw, cpu backend on heap tensors (Deno) vs Open MPI, 2 ranks, float32" \
  $R/auto-deno-cpu-2.json $R/deno-cpu-2-host.json $R/mpi-2.json
chart a2a-cpu-2-vs-mpi.svg "all_to_all busbw, cpu backend on heap tensors (Deno) vs MPI_Alltoall, 2 ranks, float32 (round r4)" \
  $R/a2a-2026-12-02/deno-cpu-a2a-2-r4.json $R/a2a-2026-12-02/mpi-a2a-2-r4.json
chart t4-deno-webgpu-8.svg "all_reduce busbw, Deno + lavapipe, 8 ranks, float32, auto (issue 14): against naive postMessage" \
  $R/perf-2026-12-03/auto-deno-webgpu-8.json
chart t4-chromium-webgpu-8.svg "all_reduce busbw, Chromium + SwiftShader, 8 ranks, float32, auto (issue 14): against naive postMessage" \
  $R/perf-2026-12-03/auto-chromium-webgpu-8.json
