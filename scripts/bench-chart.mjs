#!/usr/bin/env node
// `npm run bench:chart -- FILE.json [FILE2.json ...] --out docs/bench/NAME.svg [--title T] [--y log|linear]`
//
// An SVG line chart, without dependencies, of bus bandwidth (GB/s; y logarithmic by default, so
// that 8 B and 64 MiB both show and ratios are distances, or --y linear) against message size
// (bytes, log2 x) from the JSON that `npm run bench` and `npm run bench:mpi` write:
// - one line per series: (runtime, backend, algo, and ranks, op, dtype, redop where they differ
//   between the series) x (out-of-place: solid, filled markers | in-place: thinner, hollow);
// - each file's baselines as dashed grey lines, converted to the bandwidth the file's op (its first
//   row's; all_reduce when it has none) of that duration would have (all_reduce: busbw = S / t x
//   2(n-1)/n; reduce_scatter, all_gather and the all-to-alls: x (n-1)/n; broadcast: x 1; n the
//   file's ranks), labelled at their right
//   end; a baseline measured at one size only (the GPU round trip) is drawn at every size with
//   its one time, i.e. the bandwidth of a collective that takes exactly that long;
// - rows with wrong > 0 get a red ring.
// The output depends on nothing but the inputs (no dates, no randomness, fixed number formats).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const USAGE =
  "usage: npm run bench:chart -- FILE.json [FILE2.json ...] --out docs/bench/NAME.svg [--title T] [--y log|linear] [--baselines all|first]\n" +
  "busbw (GB/s) against size (bytes, log2); y is logarithmic unless --y linear; without --out the SVG goes to stdout";

// Tableau 10: distinct in colour and in lightness.
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const BASELINE_STYLE = {
  staging_floor: { color: "#3b3b3b", dash: "9 4" },
  heap_memcpy: { color: "#7a7a7a", dash: "3 3" },
  naive_postmessage: { color: "#8c6d31", dash: "12 3 3 3" },
  gpu_roundtrip: { color: "#9a9a9a", dash: "2 4" },
};
const OTHER_BASELINE_DASHES = ["6 3", "4 2 1 2", "10 4", "1 3"];
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** @param {string[]} argv */
export function parseArgs(argv) {
  const files = [];
  let out;
  let title;
  let yScale = "log";
  let baselines = "all";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === "--out" || flag === "-o") out = value();
    else if (flag === "--title") title = value();
    else if (flag === "--y") {
      yScale = value();
      if (yScale !== "log" && yScale !== "linear") throw new Error(`--y: expected log or linear, found ${yScale}`);
    }
    else if (flag === "--baselines") {
      baselines = value();
      if (baselines !== "all" && baselines !== "first") throw new Error(`--baselines: expected all or first, found ${baselines}`);
    }
    else if (flag === "-h" || flag === "--help") return { help: true, files, out, title, yScale, baselines };
    else if (arg.startsWith("-") && arg !== "-") throw new Error(`unknown flag ${arg}`);
    else files.push(arg);
  }
  if (files.length === 0) throw new Error("no input JSON files");
  return { help: false, files, out, title, yScale, baselines };
}

/** Bus bandwidth of an all_reduce over `ranks` taking `timeUs` on `size` bytes, in GB/s. */
export function allReduceBusbw(size, timeUs, ranks) {
  return busbwOf("all_reduce", size, timeUs, ranks);
}

/** Bus bandwidth of `op` (nccl-tests' bus factors; size: the row's size column) in GB/s. */
export function busbwOf(op, size, timeUs, ranks) {
  if (!(timeUs > 0)) return NaN;
  const factor = ranks < 2 || op === "broadcast" ? 1
    : op === "all_reduce" || op === undefined ? (2 * (ranks - 1)) / ranks
    : (ranks - 1) / ranks;
  return (size / (timeUs * 1e-6) / 1e9) * factor;
}

/** "8 B", "2 KiB", "32 MiB", "1 GiB"; other sizes with up to one decimal. */
export function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

const num = (v) => {
  const s = v.toFixed(1);
  return s === "-0.0" ? "0.0" : s;
};

function distinct(values) {
  return [...new Set(values)];
}

/** One name for the group: runtime/backend/algo with repeated parts dropped ("openmpi/mpi"). */
function groupName(meta, row) {
  const parts = [meta.runtime ?? "?", meta.backend ?? "?", row.algo ?? "?"].map(String);
  return parts.filter((p, i) => i === 0 || p !== parts[i - 1]).join("/");
}

/**
 * The lines of the chart from the parsed JSON documents: `series` (one per group x inplace, in
 * order of first appearance) and `baselines` (one per file x baseline name).
 * @param {{ name?: string, doc: any }[]} inputs
 */
export function buildSeries(inputs) {
  const raw = [];
  inputs.forEach(({ doc }, file) => {
    const meta = doc.meta ?? {};
    for (const row of doc.rows ?? []) {
      if (!(row.size > 0) || !Number.isFinite(row.busbw)) continue;
      raw.push({ file, meta, row });
    }
  });
  // Which of ranks, op, dtype, redop tell the series apart (only those go into the labels).
  const vary = {
    ranks: distinct(raw.map((r) => r.meta.ranks)).length > 1,
    op: distinct(raw.map((r) => r.row.op)).length > 1,
    dtype: distinct(raw.map((r) => r.row.dtype)).length > 1,
    redop: distinct(raw.map((r) => r.row.redop)).length > 1,
  };
  const groups = new Map();
  for (const { file, meta, row } of raw) {
    const name = groupName(meta, row);
    const extras = [];
    if (vary.ranks) extras.push(`${meta.ranks} ranks`);
    if (vary.op) extras.push(row.op);
    if (vary.dtype) extras.push(row.dtype);
    if (vary.redop) extras.push(row.redop);
    const groupLabel = extras.length ? `${name}, ${extras.join(", ")}` : name;
    const groupKey = `${file}\u0000${groupLabel}`;
    if (!groups.has(groupKey)) groups.set(groupKey, { file, label: groupLabel, lines: new Map() });
    const g = groups.get(groupKey);
    const inplace = row.inplace === true;
    if (!g.lines.has(inplace)) g.lines.set(inplace, new Map());
    const points = g.lines.get(inplace);
    // A size measured twice in one series keeps the first measurement.
    if (!points.has(row.size)) points.set(row.size, { size: row.size, busbw: row.busbw, wrong: Number(row.wrong) > 0 });
  }
  // Two files with the same label: tell them apart by file name.
  const labelCount = new Map();
  for (const g of groups.values()) labelCount.set(g.label, (labelCount.get(g.label) ?? 0) + 1);
  const series = [];
  let color = 0;
  for (const g of groups.values()) {
    const label = labelCount.get(g.label) > 1 ? `${g.label} (${inputs[g.file].name ?? `file ${g.file + 1}`})` : g.label;
    const c = PALETTE[color++ % PALETTE.length];
    for (const inplace of [false, true]) {
      const points = g.lines.get(inplace);
      if (!points) continue;
      series.push({
        label: `${label}, ${inplace ? "in-place" : "out-of-place"}`,
        group: label,
        inplace,
        color: c,
        points: [...points.values()].sort((a, b) => a.size - b.size),
      });
    }
  }

  const withBaselines = inputs.filter(({ doc, skipBaselines }) => !skipBaselines && (doc.baselines ?? []).length > 0).length;
  const baselines = [];
  let other = 0;
  inputs.forEach(({ doc, name: fileName, skipBaselines }, file) => {
    if (skipBaselines) return;
    const meta = doc.meta ?? {};
    const docOp = (doc.rows ?? [])[0]?.op ?? "all_reduce";
    const byName = new Map();
    for (const b of doc.baselines ?? []) {
      if (!(b.size > 0) || !(b.time_us > 0)) continue;
      if (!byName.has(b.name)) byName.set(b.name, new Map());
      const m = byName.get(b.name);
      if (!m.has(b.size)) m.set(b.size, b.time_us);
    }
    for (const [name, m] of byName) {
      const style = BASELINE_STYLE[name] ?? { color: "#666666", dash: OTHER_BASELINE_DASHES[other++ % OTHER_BASELINE_DASHES.length] };
      const prefix = withBaselines > 1 ? `${meta.runtime ?? fileName ?? `file ${file + 1}`}/${meta.backend ?? "?"} ` : "";
      const measured = [...m.entries()].sort((a, b) => a[0] - b[0]);
      const constant = measured.length === 1 ? { size: measured[0][0], time_us: measured[0][1] } : undefined;
      baselines.push({
        name,
        label: constant
          ? `${prefix}${name} (${formatTime(constant.time_us)} at every size)`
          : `${prefix}${name}`,
        color: style.color,
        dash: style.dash,
        ranks: Number(meta.ranks) || 2,
        op: docOp,
        constant,
        points: measured.map(([size, t]) => ({ size, busbw: busbwOf(docOp, size, t, Number(meta.ranks) || 2) })),
      });
    }
  });
  return { series, baselines };
}

function formatTime(us) {
  if (us >= 1000) return `${+(us / 1000).toPrecision(3)} ms`;
  return `${+us.toPrecision(3)} µs`;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

function decimalsOf(step) {
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 6;
}

/**
 * The y axis: `fraction(v)` in [0, 1] inside the range (beyond it for clipped lines), `ticks`
 * ({ value, label, major }), `shows(v)` whether a value can be drawn (log: only v > 0).
 * `values` always fit (the measured series: never clipped, with a margin below the lowest so that
 * its marker is not cut by the axis); `optional` values (the baselines) widen the log range by at
 * most six decades below the top, and are clipped beyond.
 */
export function makeYScale(values, kind = "log", optional = []) {
  const finite = values.filter(Number.isFinite);
  const extra = optional.filter(Number.isFinite);
  if (kind === "linear") {
    const maxRaw = Math.max(0, ...finite, ...extra);
    const step = niceStep((maxRaw > 0 ? maxRaw : 1) / 5);
    const max = Math.max(step, Math.ceil((maxRaw * 1.04) / step) * step);
    const decimals = decimalsOf(step);
    const ticks = [];
    for (let k = 0; k * step <= max + step * 1e-9; k++) ticks.push({ value: k * step, label: (k * step).toFixed(decimals), major: true });
    return {
      log: false,
      min: 0,
      max,
      ticks,
      shows: (v) => Number.isFinite(v),
      fraction: (v) => Math.min(Math.max(v, 0), max * 1.5) / max,
    };
  }
  const positive = finite.filter((v) => v > 0);
  const positiveExtra = extra.filter((v) => v > 0);
  const all = [...positive, ...positiveExtra];
  // A value closer than this (in decades) to a decade line gets one more decade of room.
  const MARGIN = 0.05;
  let hiExp = all.length ? Math.ceil(Math.log10(Math.max(...all)) + MARGIN - 1e-9) : 1;
  let loExp = hiExp - 2;
  if (positive.length) loExp = Math.min(loExp, Math.floor(Math.log10(Math.min(...positive)) - MARGIN + 1e-9));
  if (positiveExtra.length) {
    // Baselines below the series widen the range down to six decades under the top, no further.
    const extraLo = Math.floor(Math.log10(Math.min(...positiveExtra)) - MARGIN + 1e-9);
    loExp = Math.min(loExp, Math.max(extraLo, hiExp - 6));
  }
  if (hiExp - loExp < 2) loExp = hiExp - 2;
  const min = 10 ** loExp;
  const max = 10 ** hiExp;
  const ticks = [];
  const decades = hiExp - loExp;
  for (let e = loExp; e <= hiExp; e++) {
    const base = 10 ** e;
    ticks.push({ value: base, label: formatDecade(e), major: true });
    if (e === hiExp) break;
    for (const m of [2, 5]) ticks.push({ value: m * base, label: decades <= 3 ? formatDecade(e, m) : "", major: false });
  }
  return {
    log: true,
    min,
    max,
    ticks,
    shows: (v) => Number.isFinite(v) && v > 0,
    fraction: (v) => (Math.log10(Math.min(Math.max(v, min / 10), max * 100)) - loExp) / (hiExp - loExp),
  };
}

/** m x 10^e written plainly: "0.001", "0.02", "5", "100". */
function formatDecade(e, m = 1) {
  return e < 0 ? (m * 10 ** e).toFixed(-e) : String(m * 10 ** e);
}

const textWidth = (s, size = 12) => s.length * size * 0.56;

/**
 * The SVG text of the chart.
 * @param {{ name?: string, doc: any }[]} inputs
 * @param {{ title?: string, yScale?: "log" | "linear" }} [options]
 */
export function renderChart(inputs, options = {}) {
  const { series, baselines } = buildSeries(inputs);
  const ops = distinct(inputs.flatMap(({ doc }) => (doc.rows ?? []).map((r) => r.op)).filter(Boolean));
  const title = options.title ?? `${ops.length === 1 ? ops[0] : "collective"} bus bandwidth against message size`;
  const subtitle = inputs
    .map(({ doc }) => {
      const m = doc.meta ?? {};
      return [`${m.runtime ?? "?"}/${m.backend ?? "?"}`, m.ranks !== undefined ? `${m.ranks} ranks` : "", m.adapter ? String(m.adapter) : ""]
        .filter(Boolean)
        .join(", ");
    })
    .filter((s, i, a) => a.indexOf(s) === i)
    .join("; ");

  // x range: every measured size (series and baselines measured at several sizes).
  const sizes = [...series.flatMap((s) => s.points.map((p) => p.size)), ...baselines.filter((b) => !b.constant).flatMap((b) => b.points.map((p) => p.size))];
  let lo = sizes.length ? Math.log2(Math.min(...sizes)) : 3;
  let hi = sizes.length ? Math.log2(Math.max(...sizes)) : 26;
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  // y range: the series and the per-size baselines; a constant-time baseline is clipped.
  // Every measured point shows; the baselines widen the range within limits (makeYScale).
  const ys = series.flatMap((s) => s.points.map((p) => p.busbw)).filter(Number.isFinite);
  const baselineYs = baselines.filter((b) => !b.constant).flatMap((b) => b.points.map((p) => p.busbw)).filter(Number.isFinite);
  const yScale = makeYScale(ys, options.yScale ?? "log", baselineYs);
  // Layout.
  const W = 960;
  const left = 76;
  const top = subtitle ? 70 : 52;
  const labelGutter = baselines.length ? Math.min(190, 14 + Math.max(...baselines.map((b) => textWidth(b.name, 11)))) : 40;
  const right = W - labelGutter;
  const plotH = 400;
  const bottom = top + plotH;
  const x = (size) => left + ((Math.log2(size) - lo) / (hi - lo)) * (right - left);
  const y = (bw) => bottom - yScale.fraction(bw) * plotH;

  // Legend below the plot, in as many columns as fit.
  const entries = [
    ...series.map((s) => ({ kind: "series", s, label: s.label })),
    ...baselines.map((b) => ({ kind: "baseline", b, label: `${b.label}, as ${b.op ?? "all_reduce"} busbw` })),
  ];
  const colW = Math.max(180, 44 + Math.max(0, ...entries.map((e) => textWidth(e.label))));
  const cols = Math.max(1, Math.min(3, Math.floor((W - 2 * 24) / colW)));
  const legendTop = bottom + 62;
  const rowsN = Math.ceil(entries.length / cols);
  const H = legendTop + rowsN * 20 + 16;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${xmlEscape(FONT)}" font-size="12">`);
  out.push(`<title>${xmlEscape(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot-area"><rect x="${left}" y="${top}" width="${num(right - left)}" height="${plotH}"/></clipPath>` +
    // The markers' clip: the plot area and a marker's radius (and its wrong-ring's) around it, so
    // that a point on an edge shows whole.
    `<clipPath id="marker-area"><rect x="${left - 7}" y="${top - 7}" width="${num(right - left + 14)}" height="${plotH + 14}"/></clipPath></defs>`);
  out.push(`<text x="${left}" y="28" font-size="17" font-weight="600" fill="#1f1f1f">${xmlEscape(title)}</text>`);
  if (subtitle) out.push(`<text x="${left}" y="48" font-size="12" fill="#5f5f5f">${xmlEscape(subtitle)}</text>`);

  // Grid and axes.
  out.push(`<g class="grid" stroke="#e6e6e6" stroke-width="1">`);
  const yTicks = yScale.ticks;
  for (const t of yTicks) {
    if (t.value !== yScale.min) out.push(`<line x1="${left}" y1="${num(y(t.value))}" x2="${num(right)}" y2="${num(y(t.value))}"${t.major ? "" : ' stroke="#f3f3f3"'}/>`);
  }
  const span = Math.floor(hi) - Math.ceil(lo) + 1;
  const stride = Math.max(1, Math.ceil(span / 12));
  const xTicks = [];
  for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e += stride) xTicks.push(e);
  for (const e of xTicks) out.push(`<line x1="${num(x(2 ** e))}" y1="${top}" x2="${num(x(2 ** e))}" y2="${bottom}"/>`);
  out.push(`</g>`);
  out.push(`<g class="axes" stroke="#4a4a4a" stroke-width="1">`);
  out.push(`<line x1="${left}" y1="${bottom}" x2="${num(right)}" y2="${bottom}"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}"/>`);
  for (const t of yTicks) out.push(`<line x1="${left - (t.major ? 5 : 3)}" y1="${num(y(t.value))}" x2="${left}" y2="${num(y(t.value))}"/>`);
  for (const e of xTicks) out.push(`<line x1="${num(x(2 ** e))}" y1="${bottom}" x2="${num(x(2 ** e))}" y2="${bottom + 5}"/>`);
  out.push(`</g>`);
  out.push(`<g class="tick-labels" fill="#4a4a4a" font-size="11">`);
  for (const t of yTicks) if (t.label) out.push(`<text x="${left - 8}" y="${num(y(t.value) + 4)}" text-anchor="end">${t.label}</text>`);
  for (const e of xTicks) out.push(`<text x="${num(x(2 ** e))}" y="${bottom + 19}" text-anchor="middle">${xmlEscape(formatBytes(2 ** e))}</text>`);
  out.push(`</g>`);
  out.push(`<text class="axis-label" x="${num((left + right) / 2)}" y="${bottom + 42}" text-anchor="middle" fill="#1f1f1f">message size per rank (bytes, log scale)</text>`);
  out.push(`<text class="axis-label" x="0" y="0" transform="translate(22 ${num((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#1f1f1f">bus bandwidth (GB/s${yScale.log ? ", log scale" : ""})</text>`);

  // Baselines first, so the measured lines are drawn over them.
  const endLabels = [];
  out.push(`<g class="baselines" clip-path="url(#plot-area)" fill="none">`);
  for (const b of baselines) {
    let pts;
    if (b.constant) {
      // t fixed: busbw grows linearly with S; sample each octave so the log-x line is exact.
      pts = [];
      for (let e = lo; e <= hi + 1e-9; e += (hi - lo) / 64) {
        const size = 2 ** e;
        pts.push({ size, busbw: busbwOf(b.op, size, b.constant.time_us, b.ranks) });
      }
    } else {
      pts = b.points;
    }
    pts = pts.filter((p) => yScale.shows(p.busbw));
    const d = pts.map((p, i) => `${i ? "L" : "M"}${num(x(p.size))} ${num(y(p.busbw))}`).join(" ");
    out.push(`<path class="baseline" data-baseline="${xmlEscape(b.label)}" d="${d}" stroke="${b.color}" stroke-width="1.6" stroke-dasharray="${b.dash}"><title>${xmlEscape(b.label)}</title></path>`);
    const last = pts[pts.length - 1];
    if (last) endLabels.push({ text: b.name, color: b.color, y: Math.max(top + 4, Math.min(bottom - 2, y(last.busbw))) });
  }
  out.push(`</g>`);
  // End labels of the baselines in the right gutter, pushed apart so they do not overlap.
  endLabels.sort((a, b) => a.y - b.y || a.text.localeCompare(b.text));
  for (let i = 1; i < endLabels.length; i++) endLabels[i].y = Math.max(endLabels[i].y, endLabels[i - 1].y + 13);
  const overflow = endLabels.length ? endLabels[endLabels.length - 1].y - (bottom - 2) : 0;
  if (overflow > 0) for (const l of endLabels) l.y -= overflow;
  out.push(`<g class="baseline-labels" font-size="11">`);
  for (const l of endLabels) out.push(`<text x="${num(right + 6)}" y="${num(l.y + 4)}" fill="${l.color}">${xmlEscape(l.text)}</text>`);
  out.push(`</g>`);

  out.push(`<g class="series" clip-path="url(#marker-area)">`);
  for (const s of series) {
    const shown = s.points.filter((p) => yScale.shows(p.busbw));
    const d = shown.map((p, i) => `${i ? "L" : "M"}${num(x(p.size))} ${num(y(p.busbw))}`).join(" ");
    out.push(`<path class="series" data-series="${xmlEscape(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.inplace ? 1.4 : 2.2}" stroke-linejoin="round"><title>${xmlEscape(s.label)}</title></path>`);
    for (const p of shown) {
      const cx = num(x(p.size));
      const cy = num(y(p.busbw));
      out.push(
        s.inplace
          ? `<circle cx="${cx}" cy="${cy}" r="3.2" fill="#ffffff" stroke="${s.color}" stroke-width="1.4"/>`
          : `<circle cx="${cx}" cy="${cy}" r="3.2" fill="${s.color}"/>`,
      );
      if (p.wrong) out.push(`<circle class="wrong" cx="${cx}" cy="${cy}" r="6.5" fill="none" stroke="#d62728" stroke-width="1.6"/>`);
    }
  }
  out.push(`</g>`);

  // Legend.
  out.push(`<g class="legend">`);
  entries.forEach((e, i) => {
    const col = Math.floor(i / rowsN);
    const row = i % rowsN;
    const lx = 24 + col * colW + (cols === 1 ? left - 24 : 0);
    const ly = legendTop + row * 20;
    if (e.kind === "series") {
      const s = e.s;
      out.push(`<line x1="${num(lx)}" y1="${ly}" x2="${num(lx + 30)}" y2="${ly}" stroke="${s.color}" stroke-width="${s.inplace ? 1.4 : 2.2}"/>`);
      out.push(
        s.inplace
          ? `<circle cx="${num(lx + 15)}" cy="${ly}" r="3.2" fill="#ffffff" stroke="${s.color}" stroke-width="1.4"/>`
          : `<circle cx="${num(lx + 15)}" cy="${ly}" r="3.2" fill="${s.color}"/>`,
      );
    } else {
      out.push(`<line x1="${num(lx)}" y1="${ly}" x2="${num(lx + 30)}" y2="${ly}" stroke="${e.b.color}" stroke-width="1.6" stroke-dasharray="${e.b.dash}"/>`);
    }
    out.push(`<text x="${num(lx + 38)}" y="${ly + 4}" fill="#1f1f1f">${xmlEscape(e.label)}</text>`);
  });
  if (series.some((s) => s.points.some((p) => p.wrong))) {
    out.push(`<text x="${num(right)}" y="${bottom + 42}" text-anchor="end" fill="#d62728" font-size="11">red ring: wrong results</text>`);
  }
  out.push(`</g>`);
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

/** The whole command; returns the exit status. */
export function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    stderr.write(`npm run bench:chart: ${e.message}\n${USAGE}\n`);
    return 1;
  }
  if (args.help) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  const inputs = [];
  for (const file of args.files) {
    try {
      // --baselines first: draw the baselines of the first file only (the runs being compared
      // measured the same baselines; one set keeps the chart readable).
      inputs.push({ name: basename(file), doc: JSON.parse(readFileSync(file, "utf8")), skipBaselines: args.baselines === "first" && inputs.length > 0 });
    } catch (e) {
      stderr.write(`npm run bench:chart: cannot read ${file}: ${e.message}\n`);
      return 1;
    }
  }
  const svg = renderChart(inputs, { title: args.title, yScale: args.yScale });
  if (args.out === undefined || args.out === "-") {
    stdout.write(svg);
  } else {
    mkdirSync(dirname(resolve(args.out)), { recursive: true });
    writeFileSync(args.out, svg);
    const { series, baselines } = buildSeries(inputs);
    stderr.write(`wrote ${args.out}: ${series.length} series, ${baselines.length} baselines\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
