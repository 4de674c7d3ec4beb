/**
 * The heap map: one bar per rank, the slab drawn to scale with every live allocation as a block
 * (hover for its id, offset, size, dtype, shape, group and label), a legend, and a table of the
 * allocations of one rank.
 */
import type { HeapAllocationInfo, HeapSnapshot } from "../../src/index.ts";
import { el } from "../dom.ts";
import { formatBytes } from "./format.ts";

/** What a block is, for its colour and the legend. */
export type AllocationKind = "realize" | "kernel" | "demo" | "user";

export function allocationKind(a: HeapAllocationInfo): AllocationKind {
  if (a.label === "workspace: realize") return "realize";
  if (a.label?.startsWith("workspace: ")) return "kernel";
  if (a.label?.startsWith("heap map: ")) return "demo";
  return "user";
}

const LEGEND: readonly [AllocationKind, string][] = [
  ["realize", "workspace: realize — the dispatcher copies regular tensors here for symmetric-memory arguments"],
  ["kernel", "workspace: <op>/<purpose> — scratch an op's kernel asked for (ctx.workspace)"],
  ["demo", "this panel's own buffers (freed at the end of each run)"],
  ["user", "other allocations (symm.empty by a rank function)"],
];

/** Scale of the bars: the whole slab, or only up to the end of the last allocation. */
export type HeapScale = "heap" | "span";

export function describeAllocation(a: HeapAllocationInfo): string {
  return `${a.id}${a.label ? ` · ${a.label}` : ""}\noffset ${a.offset} (${formatBytes(a.offset)}), ` +
    `${formatBytes(a.bytes)} reserved (${a.nbytes} B used)\n${a.dtype}[${a.shape.join(", ")}], group "${a.group}"`;
}

/** Draws one bar per rank into `bars`, to the chosen scale. */
export function renderBars(bars: HTMLElement, snapshots: readonly HeapSnapshot[], scale: HeapScale): void {
  // "allocated part": up to the next power of two past the end of the last allocation (with room to spare).
  const end = Math.max(256, ...snapshots.flatMap((s) => s.allocations.map((a) => a.offset + a.bytes)));
  const span = 2 ** Math.ceil(Math.log2(end * 1.25));
  bars.replaceChildren(...snapshots.map((s) => {
    const width = scale === "heap" ? s.capacity : Math.min(s.capacity, span);
    const bar = el("div", { className: "heap-bar" });
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", `rank ${s.rank}: ${s.allocations.length} allocations`);
    for (const a of s.allocations) {
      const block = el("div", { className: `heap-block kind-${allocationKind(a)}`, title: describeAllocation(a) });
      block.style.left = `${(100 * a.offset) / width}%`;
      block.style.width = `${(100 * a.bytes) / width}%`;
      block.dataset.id = a.id;
      block.dataset.offset = String(a.offset);
      block.dataset.bytes = String(a.bytes);
      if (a.label) block.dataset.label = a.label;
      bar.append(block);
    }
    const used = s.capacity - s.freeBytes;
    return el("div", { className: "heap-row" },
      el("span", { className: "heap-rank", textContent: `rank ${s.rank}` }),
      el("div", { className: "heap-track" },
        bar,
        el("div", { className: "heap-axis" },
          el("span", { textContent: "0" }),
          el("span", { textContent: scale === "heap" ? formatBytes(s.capacity) : `${formatBytes(width)} of ${formatBytes(s.capacity)}` }))),
      el("span", {
        className: "heap-usage",
        textContent: `${s.allocations.length} alloc · ${formatBytes(used)} used · ${formatBytes(s.freeBytes)} free`,
      }));
  }));
}

/** The colour legend. */
export function legend(): HTMLElement {
  return el("ul", { className: "heap-legend" }, ...LEGEND.map(([kind, text]) =>
    el("li", {}, el("span", { className: `swatch kind-${kind}` }), text)));
}

/** The table of one rank's allocations. */
export function renderTable(tbody: HTMLTableSectionElement, s: HeapSnapshot | undefined): void {
  tbody.replaceChildren();
  if (s === undefined) return;
  if (s.allocations.length === 0) {
    const row = tbody.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 6;
    cell.className = "hint";
    cell.textContent = "no live allocations: the heap is empty";
    return;
  }
  for (const a of s.allocations) {
    const row = tbody.insertRow();
    row.className = `kind-row-${allocationKind(a)}`;
    row.dataset.id = a.id;
    row.dataset.offset = String(a.offset);
    const cells = [a.id, String(a.offset), formatBytes(a.bytes), `${a.dtype}[${a.shape.join(", ")}]`, a.group, a.label ?? "—"];
    cells.forEach((text, i) => {
      const c = row.insertCell();
      c.textContent = text;
      if (i === 1) c.className = "num";
    });
  }
}

/** True when every rank reports the same allocations (id, offset, size) — what makes the heap symmetric. */
export function symmetricAcrossRanks(snapshots: readonly HeapSnapshot[]): boolean {
  const key = (s: HeapSnapshot) => s.allocations.map((a) => `${a.id}@${a.offset}+${a.bytes}`).join();
  return snapshots.every((s) => key(s) === key(snapshots[0]));
}
