/**
 * webshmem::host_all_reduce_ on WebGPU, run on every WebGPU runtime (Deno tests, Playwright):
 * GpuTensors read back chunk by chunk, reduced on the host, uploaded; bit-exact with
 * referenceReduce and the same bytes on every rank, for float32 / bfloat16 / int32 × sum / max and
 * 0, 1, 4, 8196, 1 Mi + 3 elements; plus symmetric views (reduced in place) and tiny chunks through
 * 3 in-slots and 2 out-slots. Up to the tuning's oneRoundMaxBytes a tensor takes the one-round
 * path; two cases turn it off, so the pipeline is checked at those sizes too.
 */
import { launch } from "../../src/index.ts";
import type { HostCase, HostSummary } from "../perf/host-ranks.ts";
import { rankSource } from "./rank-source.ts";

// @vite-ignore: a bundled page launches the fixture's rank worker instead (rank-source.ts).
const rankModule = new URL(/* @vite-ignore */ "../perf/host-ranks.ts", import.meta.url);
const COUNTS = [0, 1, 4, 8196, (1 << 20) + 3];

export function hostCases(): HostCase[] {
  const out: HostCase[] = [];
  let seed = 7;
  for (const dtype of ["float32", "bfloat16", "int32"] as const) {
    for (const op of ["sum", "max"] as const) {
      for (const count of COUNTS) out.push({ dtype, op, count, placement: "regular", seed: seed++ });
    }
  }
  out.push({ dtype: "float32", op: "sum", count: 8196, placement: "symmetric", seed: seed++ });
  out.push({ dtype: "float32", op: "avg", count: 8196, placement: "regular", seed: seed++ });
  for (const dtype of ["float32", "bfloat16"] as const) {
    out.push({
      dtype, op: "sum", count: (1 << 18) + 3, placement: "regular", seed: seed++,
      tuning: { chunkBytes: 64 << 10, inSlots: 3, outSlots: 2 },
    });
  }
  // The pipeline at sizes the one-round path takes by default (host-one-round.ts).
  for (const count of [4, 8196]) {
    out.push({ dtype: "float32", op: "sum", count, placement: "regular", seed: seed++, tuning: { oneRoundMaxBytes: 0 } });
  }
  return out;
}

/** Runs every case on `worldSize` ranks; throws with the failures, else returns a summary line. */
export async function runHostScenario(worldSize: number): Promise<string> {
  const world = await launch({ worldSize, heapBytes: 40 << 20, backend: "webgpu", ...rankSource("host-ranks", rankModule), timeoutMs: 120_000 });
  try {
    const list = hostCases();
    const all = await world.run<HostSummary[]>("runHostCases", list);
    const bad: string[] = [];
    list.forEach((c, i) => {
      const label = `${c.dtype} ${c.op} count ${c.count} ${c.placement}${c.tuning ? ` tuning ${JSON.stringify(c.tuning)}` : ""}`;
      all.forEach((s, r) => {
        if (s[i].mismatches !== 0) bad.push(`${label}, rank ${r}: ${s[i].mismatches} wrong bytes (${s[i].detail})`);
        if (!s[i].sameObject) bad.push(`${label}, rank ${r}: did not return its input`);
      });
      if (new Set(all.map((s) => s[i].hash)).size !== 1) bad.push(`${label}: ranks got different bytes`);
    });
    if (bad.length > 0) throw new Error(`${bad.length} failure(s):\n${bad.join("\n")}`);
    return `${list.length} cases on ${worldSize} ranks: all exact`;
  } finally {
    await world.close();
  }
}
