/**
 * The nccl-tests table: out-of-place columns, then in-place, per-row #wrong, and the footer.
 *
 * #                                                              out-of-place                       in-place
 * #       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong
 * #        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)
 *            8             2     float     sum      -1    52.31    0.00    0.00       0    50.12    0.00    0.00       0
 * # Out of bounds values : 0 OK
 * # Avg bus bandwidth    : 0.123456
 */
import type { CollectiveDType } from "../internal.ts";
import { fixed2, formatG, formatTime } from "./format.ts";
import type { Measured, RowResult } from "./report.ts";

/** nccl-tests' type names. */
export const NCCL_TYPE: Readonly<Record<CollectiveDType, string>> = {
  float32: "float", float16: "half", bfloat16: "bfloat16", int32: "int32",
};

const left = (cells: readonly [string, number][]): string => cells.map(([s, w]) => s.padStart(w)).join("  ");

/** `# ` + size(10) + count(12) + type(8) + redop(6) + root(6): 52 characters, as a data row's first five columns. */
function prefix(size: string, count: string, type: string, redop: string, root: string, hash: boolean): string {
  const cells: [string, number][] = [[size, hash ? 10 : 12], [count, 12], [type, 8], [redop, 6], [root, 6]];
  return (hash ? "# " : "") + left(cells);
}

function group(time: string, algbw: string, busbw: string, wrong: string): string {
  return `  ${time.padStart(7)}  ${algbw.padStart(6)}  ${busbw.padStart(6)}  ${wrong.padStart(6)}`;
}

const GROUP_WIDTH = group("", "", "", "").length;

function centered(text: string, width: number): string {
  const pad = Math.max(0, width - text.length);
  return " ".repeat(Math.floor(pad / 2)) + text + " ".repeat(pad - Math.floor(pad / 2));
}

export function tableHeader(): string[] {
  const lead = prefix("", "", "", "", "", true);
  return [
    (lead + centered("out-of-place", GROUP_WIDTH) + centered("in-place", GROUP_WIDTH)).trimEnd(),
    prefix("size", "count", "type", "redop", "root", true) +
      group("time", "algbw", "busbw", "#wrong") + group("time", "algbw", "busbw", "#wrong"),
    (prefix("(B)", "(elements)", "", "", "", true) +
      group("(us)", "(GB/s)", "(GB/s)", "") + group("(us)", "(GB/s)", "(GB/s)", "")).trimEnd(),
  ];
}

function measuredGroup(m: Measured | null): string {
  if (m === null) return group("N/A", "N/A", "N/A", "N/A");
  return group(formatTime(m.timeUs), fixed2(m.algbw), fixed2(m.busbw), m.wrong === null ? "N/A" : String(m.wrong));
}

export function tableRow(r: RowResult): string {
  return prefix(String(r.size), String(r.count), NCCL_TYPE[r.dtype], r.redop, String(r.root), false) +
    measuredGroup(r.outOfPlace) + measuredGroup(r.inPlace);
}

export function footer(rows: readonly RowResult[]): string[] {
  const measured = rows.flatMap((r) => [r.outOfPlace, r.inPlace]).filter((m): m is Measured => m !== null);
  const wrong = measured.reduce((s, m) => s + (m.wrong ?? 0), 0);
  const avg = measured.length === 0 ? 0 : measured.reduce((s, m) => s + m.busbw, 0) / measured.length;
  return [
    `# ${"Out of bounds values".padEnd(20)} : ${wrong} ${wrong === 0 ? "OK" : "FAILED"}`,
    `# ${"Avg bus bandwidth".padEnd(20)} : ${formatG(avg)}`,
    "#",
  ];
}
