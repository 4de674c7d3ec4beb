/**
 * The Benchmark panel's tables, as HTML: one line per placement the algorithm has (out-of-place,
 * in-place, or both; never a column of N/A), and the baselines of the same run with their ratios.
 */
import { formatBytes, formatTime } from "../../src/bench/format.ts";
import { collectiveTime } from "../../src/bench/print.ts";
import type { BaselineName, BaselineResult, Measured, RowResult } from "../../src/bench/report.ts";
import { BASELINE_NAMES } from "../../src/bench/report.ts";
import { NCCL_TYPE } from "../../src/bench/table.ts";
import { el } from "../dom.ts";

const fixed = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 0.01 || x === 0 ? x.toFixed(2) : x.toPrecision(2));

/** The results table's head. */
export function resultsHead(): HTMLTableSectionElement {
  const th = (text: string, title = "") => el("th", { scope: "col", textContent: text, title });
  return el("thead", {}, el("tr", {},
    th("size"), th("count", "elements per rank, as nccl-tests counts them"), th("type"), th("algorithm"),
    th("placement", "out-of-place: the result goes to another tensor; in-place: into the input"),
    th("time (µs)", "mean per iteration of the slowest rank"), th("algbw (GB/s)"), th("busbw (GB/s)"),
    th("#wrong", "wrong elements over every rank and iteration")));
}

/** The lines of one size: one per placement measured, the size's cells spanning them. */
export function resultRows(r: RowResult): HTMLTableRowElement[] {
  const measured: [string, Measured][] = [];
  if (r.outOfPlace !== null) measured.push(["out-of-place", r.outOfPlace]);
  if (r.inPlace !== null) measured.push(["in-place", r.inPlace]);
  return measured.map(([placement, m], i) => {
    const tr = el("tr", { className: i === measured.length - 1 ? "bench-size-end" : "" });
    tr.dataset.size = String(r.size);
    tr.dataset.algo = r.algo;
    tr.dataset.placement = placement;
    if (i === 0) {
      const span = { rowSpan: measured.length };
      tr.append(
        el("td", { ...span, className: "num", textContent: formatBytes(r.size), title: `${r.size} bytes` }),
        el("td", { ...span, className: "num", textContent: String(r.count) }),
        el("td", { ...span, textContent: `${NCCL_TYPE[r.dtype]}${r.redop === "none" ? "" : ` ${r.redop}`}` }),
        el("td", { ...span, textContent: r.algo }),
      );
    }
    const wrong = el("td", {
      className: `num wrong ${m.wrong === null ? "unchecked" : m.wrong === 0 ? "ok" : "bad"}`,
      textContent: m.wrong === null ? "not checked" : String(m.wrong),
    });
    tr.append(
      el("td", { className: "placement", textContent: placement, title: m.opName }),
      el("td", { className: "num", textContent: formatTime(m.timeUs).trim() }),
      el("td", { className: "num", textContent: fixed(m.algbw) }),
      el("td", { className: "num", textContent: fixed(m.busbw) }),
      wrong,
    );
    return tr;
  });
}

/**
 * The baselines table: a column per baseline measured at each size (those the run did not
 * measure have none), each with the collective's time over it. The GPU round trip, measured at
 * one size, is a note below (returned separately).
 */
export function baselinesTable(rows: readonly RowResult[], baselines: readonly BaselineResult[]): { table?: HTMLTableElement; note?: string } {
  const perSize = BASELINE_NAMES.filter((n) => n !== "gpu_roundtrip" && baselines.some((b) => b.name === n));
  const roundtrip = baselines.find((b) => b.name === "gpu_roundtrip");
  const note = roundtrip === undefined ? undefined
    : `GPU round trip (8 B to the device and back, one rank's queue): ${formatTime(roundtrip.timeUs).trim()} µs.`;
  if (perSize.length === 0 || rows.length === 0) return { note };
  const at = (name: BaselineName, size: number) => baselines.find((b) => b.name === name && b.size === size)?.timeUs;
  const table = el("table", { id: "bench-baselines-table", className: "bench-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", textContent: "size" }),
      el("th", { scope: "col", textContent: "collective (µs)", title: "the faster of its placements" }),
      ...perSize.map((n) => el("th", { scope: "col", textContent: `${n} (µs)`, title: "and the collective's time / the baseline's" })))),
    el("tbody", {}, ...rows.map((r) => {
      const coll = collectiveTime(r);
      return el("tr", {},
        el("td", { className: "num", textContent: formatBytes(r.size) }),
        el("td", { className: "num", textContent: coll === undefined ? "–" : formatTime(coll).trim() }),
        ...perSize.map((n) => {
          const t = at(n, r.size);
          if (t === undefined) return el("td", { className: "num", textContent: "–" });
          const ratio = coll === undefined || t === 0 ? undefined : coll / t;
          return el("td", { className: "num" }, formatTime(t).trim(),
            ratio === undefined ? "" : el("span", {
              className: `ratio ${ratio < 1 ? "faster" : "slower"}`,
              textContent: ` ×${ratio.toFixed(ratio >= 100 ? 0 : 2)}`,
              title: ratio < 1 ? "the collective is faster than this baseline" : "the collective is slower than this baseline",
            }));
        }));
    })));
  return { table, note };
}
