/** The text around the table: the header comment, the baselines table and the breakdown table. */
import { itemsize } from "../internal.ts";
import type { BenchOptions } from "./flags.ts";
import { formatTime } from "./format.ts";
import { STEPS } from "./recorder.ts";
import type { BaselineName, BaselineResult, HeapKind, Measured, RowResult } from "./report.ts";
import { BASELINE_NAMES } from "./report.ts";
import type { RowShape } from "./sizes.ts";
import { offRank, receivedTotal, SPLIT_SEED, SPLIT_UNIT_BYTES, splitWeights } from "./splits.ts";

const fmtTime = (us: number | undefined): string => (us === undefined ? "N/A" : formatTime(us).trim());

/** The faster placement's time: what the baselines are compared with. */
export function collectiveTime(r: RowResult): number | undefined {
  const ts = [r.outOfPlace, r.inPlace].filter((m): m is Measured => m !== null).map((m) => m.timeUs);
  return ts.length === 0 ? undefined : Math.min(...ts);
}

/** Every baseline gets a column; those not measured in this run (cpu: the GPU ones) read N/A. */
export function baselinesTable(rows: readonly RowResult[], baselines: readonly BaselineResult[]): string[] {
  const names = BASELINE_NAMES;
  if (baselines.length === 0) return [];
  const at = (name: BaselineName, size: number): number | undefined =>
    baselines.find((b) => b.name === name && (b.size === size || name === "gpu_roundtrip"))?.timeUs;
  const cols = names.map((n) => ({ n, w: Math.max(9, n.length) }));
  const head = ["#", "size".padStart(10), "coll (us)".padStart(10), ...cols.flatMap(({ n, w }) => [n.padStart(w), "ratio".padStart(6)])];
  const unit = ["#", "(B)".padStart(10), "".padStart(10), ...cols.flatMap(({ w }) => ["(us)".padStart(w), "".padStart(6)])];
  const lines = [
    "# Baselines, measured in this run. ratio = the collective's time / the baseline's (below 1: the collective is",
    "# faster); the collective's time is the faster of its out-of-place and in-place columns.",
    head.join(" ").replace(/^# /, "# "),
    unit.join(" ").trimEnd(),
  ];
  for (const r of rows) {
    const coll = collectiveTime(r);
    const cells = cols.flatMap(({ n, w }) => {
      const b = at(n, r.size);
      const x = b === undefined || coll === undefined || b === 0 ? undefined : coll / b;
      const ratio = x === undefined ? "N/A" : x.toFixed(x >= 1000 ? 0 : x >= 100 ? 1 : 2);
      return [fmtTime(b).padStart(w), ratio.padStart(6)];
    });
    lines.push([String(r.size).padStart(12), fmtTime(coll).padStart(10), ...cells].join(" "));
  }
  lines.push("#");
  return lines;
}

export function breakdownTable(rows: readonly RowResult[]): string[] {
  const lines = [
    "# Breakdown: us per iteration on the slowest rank. readback: device -> heap (realization, result readbacks,",
    "# and the waits for queued GPU work they imply); barrier: the op's synchronisation; upload: heap -> device for",
    "# the kernel; kernel: the reducer call minus its uploads and readbacks; copy_out: the result into the caller's",
    "# tensor; drain: waiting for the device queue at the end; other: the rest (heap copies, bookkeeping).",
    ["#", "algo".padEnd(9), "placement".padEnd(12), "size".padStart(12), "total".padStart(10), ...STEPS.map((s) => s.padStart(9))].join(" "),
  ];
  for (const r of rows) {
    for (const [placement, m] of [["out-of-place", r.outOfPlace], ["in-place", r.inPlace]] as const) {
      if (m === null || m.steps === undefined) continue;
      lines.push(["  " + r.algo.padEnd(9), placement.padEnd(12), String(r.size).padStart(12), fmtTime(m.timeUs).padStart(10),
        ...STEPS.map((s) => fmtTime(m.steps?.[s] ?? 0).padStart(9))].join(" "));
    }
  }
  lines.push("#");
  return lines;
}

/** The comment block above the table: the run, the devices, the ops called and how time is taken. */
export function headerComment(o: BenchOptions, p: {
  runtime: string; adapters: readonly string[]; heapBytes: number; heapKind?: HeapKind; opLines: readonly string[]; tensors: string;
}): string[] {
  const step = o.stepBytes > 0 ? `${o.stepBytes}(bytes)` : `${o.stepFactor}(factor)`;
  return [
    `# webshmem bench (nccl-tests layout): ${o.op} on ${o.ranks} ranks, ${o.dtype} (${itemsize(o.dtype)} B), ` +
      `backend ${o.backend}, runtime ${p.runtime}`,
    `#  minBytes ${o.minBytes} maxBytes ${o.maxBytes} step: ${step} warmup iters: ${o.warmup} iters: ${o.iters} ` +
      `validation: ${o.check ? 1 : 0}${o.check ? " (every iteration's result, every element, every rank)" : ""}`,
    `#  heap: ${(p.heapBytes / 2 ** 20).toFixed(1)} MiB per rank` + (p.heapKind === undefined ? ""
      : p.heapKind === "wasm_memory" ? ", WebAssembly memories (the host reductions read the slabs in place)"
      : ", SharedArrayBuffers (the host reductions copy through)"),
    "#",
    "# Using devices",
    ...p.adapters.map((a, r) => `#  Rank ${String(r).padStart(2)} ${a}`),
    "#",
    ...p.opLines.map((l) => `# ${l}`),
    `# Tensors: ${p.tensors}`,
    "# Time: each iteration starts at a barrier of all ranks and is timed in each rank until the op has returned",
    "#  and the device queue is drained; the mean over iterations of the slowest rank is printed.",
    "#",
  ];
}

/** The all-to-alls' lines for the header comment: how a row's size and count map to what moves. */
export function splitsComment(o: Pick<BenchOptions, "op" | "ranks" | "experts">, shapes: readonly RowShape[]): string[] {
  if (o.op === "all_to_all") {
    return [
      "all_to_all (nccl-tests' alltoall): count = elements each rank sends to each rank (size / ranks / elem, down to",
      `  ${SPLIT_UNIT_BYTES} bytes); size = count x ranks x elem, every rank's send and receive buffer; busbw = algbw x (n-1)/n`,
    ];
  }
  if (o.op !== "all_to_all_vdev_2d") return [];
  const bins = o.ranks * o.experts;
  const lines = [
    `all_to_all_vdev_2d: ${o.experts} experts per rank, ${bins} (rank, expert) bins; size = bytes every rank sends, count`,
    `  its elements; bin j of rank r gets floor(units x w[r][j] / sum w[r]) units of ${SPLIT_UNIT_BYTES} bytes (the rest to its`,
    "  first largest weight), w from mulberry32(" + SPLIT_SEED + " + 7919 r) in 0..4 (0: an empty bin); major_align None;",
    "  received bytes differ by rank (table \"Bytes moved\" below); algbw = size / time, busbw = algbw x (n-1)/n;",
    "  in_splits and out_splits_offsets are int32 tensors of the data's kind (webgpu: GPU tensors; cpu: heap tensors)",
  ];
  for (let r = 0; r < o.ranks; r++) lines.push(`  rank ${String(r).padStart(2)} weights [${splitWeights(r, o.ranks, o.experts).join(", ")}]`);
  const last = shapes[shapes.length - 1]?.splits;
  if (last !== undefined && o.ranks * bins <= 64) {
    lines.push(`  at the largest size, elements per bin: ${last.inSplits.map((row, r) => `rank ${r} [${row.join(", ")}]`).join("; ")}`);
  }
  return lines;
}

/** all_to_all_vdev_2d: the bytes each rank received, and those that crossed to or from another rank. */
export function movedTable(rows: readonly RowResult[], dtype: BenchOptions["dtype"]): string[] {
  const split = rows.filter((r) => r.splits !== undefined);
  if (split.length === 0) return [];
  const elem = itemsize(dtype);
  const ranks = split[0].splits!.ranks;
  const lines = [
    "# Bytes moved per rank (all_to_all_vdev_2d): every rank sends `size` bytes; recv rN: bytes rank N received;",
    "# off-rank: the most bytes any rank sent to other ranks / received from other ranks (its own bins stay local).",
    ["#", "size".padStart(10), ...Array.from({ length: ranks }, (_, r) => `recv r${r}`.padStart(11)), "off-rank sent".padStart(14),
      "off-rank recv".padStart(14)].join(" "),
  ];
  for (const r of split) {
    const plan = r.splits!;
    const off = Array.from({ length: ranks }, (_, k) => offRank(plan, k));
    lines.push([String(r.size).padStart(12), ...Array.from({ length: ranks }, (_, k) => String(receivedTotal(plan, k) * elem).padStart(11)),
      String(Math.max(...off.map((x) => x.sent)) * elem).padStart(14), String(Math.max(...off.map((x) => x.received)) * elem).padStart(14)].join(" "));
  }
  lines.push("#");
  return lines;
}
