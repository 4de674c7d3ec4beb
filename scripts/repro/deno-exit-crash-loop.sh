#!/usr/bin/env bash
# Runs a command N times and counts how each run ended (docs/deno-exit-crash.md):
#   scripts/repro/deno-exit-crash-loop.sh 120 npx deno run -A scripts/repro/deno-exit-crash.js
#   scripts/repro/deno-exit-crash-loop.sh 120 npx deno run -A scripts/repro/deno-exit-crash.js --wait-threads
#   scripts/repro/deno-exit-crash-loop.sh 30 npx deno test -A --no-check deno/tests/heap_test.ts
# Exit 134 is SIGABRT (a glibc "corrupted ..." / "double free" abort), 139 SIGSEGV. Each crashed
# run's output is kept in $LOGS (default /tmp/deno-exit-crash). Runs hold /tmp/webshmem-deno.lock.
n=$1; shift
logs=${LOGS:-/tmp/deno-exit-crash}
mkdir -p "$logs"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
declare -A ends
for i in $(seq 1 "$n"); do
  flock /tmp/webshmem-deno.lock "$@" >"$logs/run-$i.log" 2>&1
  rc=$?
  ends[$rc]=$(( ${ends[$rc]:-0} + 1 ))
  if [ "$rc" -ne 0 ]; then
    echo "run $i: exit $rc: $(grep -aE 'corrupt|free\(\)|double free|malloc|Segmentation' "$logs/run-$i.log" | tail -1)"
  else
    rm -f "$logs/run-$i.log"
  fi
done
summary=""
for rc in "${!ends[@]}"; do summary+=" exit $rc: ${ends[$rc]},"; done
crashes=$(( ${ends[134]:-0} + ${ends[139]:-0} ))
echo "$n runs:${summary%,}; crashed (134/139): $crashes of $n"
