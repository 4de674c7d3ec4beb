/**
 * webshmem::host_all_reduce_ on WebGPU, run on every WebGPU runtime (Deno tests, Playwright):
 * GpuTensors read back chunk by chunk, reduced on the host, uploaded; bit-exact with
 * referenceReduce and the same bytes on every rank, for float32 / bfloat16 / int32 × sum / max and
 * 0, 1, 4, 8196, 1 Mi + 3 elements; plus symmetric views (reduced in place) and tiny chunks through
 * 3 in-slots and 2 out-slots. By size a tensor takes the one-round path, its reduce-once form or
 * the pipeline, with limits that differ by runtime: cases with a tuning put each path at sizes
 * another takes by default. Then, on each one-round form, calls of alternating sizes back to back
 * (a fast rank's next call must not overwrite what a peer still reads) and ranks that disagree on
 * the size (every rank fails, none hangs).
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
  // Each path at sizes another takes by default on some runtime (the defaults differ by runtime,
  // host-tuning.ts): the pipeline, the one-round path (every rank reduces), the reduce-once form.
  for (const tuning of [PIPELINE, ONE_ROUND, REDUCE_ONCE]) {
    for (const count of [4, 8196]) out.push({ dtype: "float32", op: "sum", count, placement: "regular", seed: seed++, tuning });
  }
  for (const dtype of ["bfloat16", "int32"] as const) {
    out.push({ dtype, op: "max", count: (1 << 18) + 3, placement: "regular", seed: seed++, tuning: REDUCE_ONCE });
    out.push({ dtype, op: "sum", count: 3, placement: "regular", seed: seed++, tuning: ONE_ROUND });
  }
  return out;
}

const PIPELINE = { oneRoundMaxBytes: 0, reduceOnceMaxBytes: 0 };
const ONE_ROUND = { oneRoundMaxBytes: 256 << 10, reduceOnceMaxBytes: 0 };
const REDUCE_ONCE = { oneRoundMaxBytes: 0, reduceOnceMaxBytes: 16 << 20 };

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
    for (const [name, tuning] of [["one-round", ONE_ROUND], ["reduce-once", REDUCE_ONCE]] as const) {
      const rounds = await world.run<{ mismatches: number; detail?: string }>("alternatingSizes", 12, tuning);
      rounds.forEach((s, r) => {
        if (s.mismatches !== 0) bad.push(`${name}, alternating sizes, rank ${r}: ${s.mismatches} wrong elements (${s.detail})`);
      });
      const errs = await world.run<string>("disagree", "count", tuning);
      if (!errs.some((e) => e.startsWith("AgreementError"))) bad.push(`${name}, ranks disagreeing on the size: no AgreementError (${errs.join("; ")})`);
      errs.forEach((e, r) => {
        if (!/^(AgreementError: rank \d+: webshmem::host_all_reduce_ .*ranks disagree on input's size 0|PeerLostError: .*failed in the same call)/.test(e)) {
          bad.push(`${name}, ranks disagreeing on the size, rank ${r}: ${e}`);
        }
      });
    }
    if (bad.length > 0) throw new Error(`${bad.length} failure(s):\n${bad.join("\n")}`);
    return `${list.length} cases, alternating sizes and a disagreement on each one-round form, on ${worldSize} ranks: all exact`;
  } finally {
    await world.close();
  }
}
