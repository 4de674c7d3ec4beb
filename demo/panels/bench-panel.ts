/**
 * The demo page's Benchmark section: the benchmark core of `npm run bench` (src/bench/) run in
 * this page's workers, with its options from a form (checked as the command line checks them,
 * errors naming the form's fields), a progress bar (sizes done per algorithm), the results as a
 * table with one line per placement each algorithm has, the baselines of the same run, a uPlot
 * chart of busbw against size, and the JSON the command line writes (--json) to download.
 */
import "./bench.css";
import type uPlot from "uplot";
import {
  BENCH_ALGOS, BENCH_OPS, BenchFlagError, type BenchOptions, labelNames, type OptionKey, parseFields,
} from "../../src/bench/flags.ts";
import { formatBytes } from "../../src/bench/format.ts";
import { benchRun } from "../../src/bench/main.ts";
import { jsonText, type BenchReport, type RowResult } from "../../src/bench/report.ts";
import type { BenchProgress } from "../../src/bench/runner.ts";
import { sweep } from "../../src/bench/sizes.ts";
import { drawChart } from "../bench/chart.ts";
import { baselinesTable, resultRows, resultsHead } from "../bench/tables.ts";
import { el } from "../dom.ts";
import type { DemoSession, MountPanel } from "../session.ts";
// The benchmark's ranks built into a rank worker, so that the panel works in the built demo too.
import rankWorker from "../../src/bench/ranks.worker.ts?worker&url";

interface Field {
  readonly key: OptionKey;
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly options?: readonly string[];
  readonly hint?: string;
  readonly kind?: "checkbox";
}

/**
 * The form. Defaults: 16 B to 1 MiB by ×4, so the sweep ends at the max it shows (9 sizes), few
 * iterations (SwiftShader is a CPU rasterizer: the point here is to watch, not to publish).
 */
const FIELDS: readonly Field[] = [
  { key: "ranks", id: "ranks", label: "ranks", value: "4", hint: "1–16 workers" },
  { key: "backend", id: "backend", label: "backend", value: "webgpu", options: ["webgpu", "cpu"] },
  { key: "op", id: "op", label: "op", value: "all_reduce", options: BENCH_OPS },
  { key: "algo", id: "algo", label: "algorithm", value: "auto", options: BENCH_ALGOS, hint: "all_reduce only" },
  { key: "dtype", id: "dtype", label: "type", value: "float32", options: ["float32", "float16", "bfloat16", "int32"] },
  { key: "redop", id: "redop", label: "reduce op", value: "sum", options: ["sum", "prod", "max", "min", "avg"] },
  { key: "minBytes", id: "min", label: "min size", value: "16", hint: "bytes; K, M suffixes" },
  { key: "maxBytes", id: "max", label: "max size", value: "1M", hint: "bytes; K, M suffixes" },
  { key: "stepFactor", id: "factor", label: "step factor", value: "4", hint: "× between sizes" },
  { key: "iters", id: "iters", label: "iterations", value: "5", hint: "timed, per size" },
  { key: "warmup", id: "warmup", label: "warm-up", value: "1", hint: "untimed, per size" },
  { key: "check", id: "check", label: "verify results", value: "1", kind: "checkbox" },
  { key: "baselines", id: "baselines", label: "baselines", value: "1", kind: "checkbox" },
];

const LABELS = Object.fromEntries(FIELDS.map((f) => [f.key, `“${f.label}”`])) as Partial<Record<OptionKey, string>>;
const NAMES = labelNames(LABELS);

type Control = HTMLInputElement | HTMLSelectElement;

export const mountBenchPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const controls = new Map<OptionKey, Control>();
  const fieldLabels = FIELDS.map((f) => {
    let c: Control;
    if (f.options) {
      c = el("select", { id: `bench-${f.id}`, name: f.key }, ...f.options.map((o) => el("option", { value: o, textContent: o })));
      c.value = f.value;
    } else if (f.kind === "checkbox") {
      c = el("input", { id: `bench-${f.id}`, name: f.key, type: "checkbox", checked: f.value === "1" });
    } else {
      c = el("input", { id: `bench-${f.id}`, name: f.key, value: f.value, size: 6, spellcheck: false, autocomplete: "off" });
    }
    controls.set(f.key, c);
    return f.kind === "checkbox"
      ? el("label", { className: "bench-check" }, c, ` ${f.label}`)
      : el("label", { className: "bench-field", title: f.hint ?? "" }, el("span", { textContent: f.label }), c);
  });
  const run = el("button", { id: "bench-run", type: "submit", textContent: "run benchmark" });
  const fieldset = el("fieldset", { className: "bench-fields" }, ...fieldLabels);
  const plan = el("p", { id: "bench-plan", className: "bench-plan" });
  const formError = el("p", { id: "bench-error", className: "bench-error", role: "alert", hidden: true });
  const form = el("form", { id: "bench-controls", className: "bench-form", noValidate: true }, fieldset, el("div", { className: "bench-actions" }, run, plan));

  const bar = el("progress", { id: "bench-progress", max: 1, value: 0 });
  const barText = el("span", { id: "bench-progress-text", textContent: "not run yet" });
  const perAlgo = el("ul", { id: "bench-progress-algos", className: "bench-algos" });
  const progress = el("div", { className: "bench-progress", hidden: true }, bar, barText, perAlgo);
  const status = el("p", { id: "bench-status", role: "status", className: "bench-status", textContent: "not run yet" });

  const summary = el("p", { id: "bench-summary", className: "bench-summary" });
  const tbody = el("tbody");
  const table = el("table", { id: "bench-table", className: "bench-table" }, resultsHead(), tbody);
  const calls = el("ul", { id: "bench-calls", className: "bench-calls" });
  const baselinesBox = el("div", { id: "bench-baselines" });
  const chart = el("div", { id: "bench-chart", className: "bench-chart" });
  const download = el("a", { id: "bench-download", className: "bench-download", textContent: "download the results (JSON)" });
  const text = el("pre", { id: "bench-output", className: "bench-output" });
  const details = el("details", { id: "bench-text" }, el("summary", { textContent: "the same run as nccl-tests' text table (what npm run bench prints)" }), text);
  const results = el("div", { id: "bench-results", hidden: true },
    summary, table, calls,
    chart,
    el("h3", { textContent: "Baselines, measured in the same run" }),
    el("p", { className: "lead", textContent: "Each baseline's time, and the collective's time over it (below ×1: the collective is faster)." }),
    baselinesBox, el("p", {}, download, " — the same JSON as ", el("code", { textContent: "npm run bench -- --json FILE" }),
      " (", el("code", { textContent: "rows" }), ", ", el("code", { textContent: "baselines" }), ", ", el("code", { textContent: "meta" }),
      "), for ", el("code", { textContent: "npm run bench:chart" }), "."), details);

  root.append(
    el("p", { className: "lead" }, "The benchmark core of ", el("code", { textContent: "npm run bench" }),
      " in this page, on ranks of its own: every size timed out-of-place and in-place (where the algorithm has that placement), ",
      "every result checked, and the baselines measured in the same run."),
    form, formError, progress, status, results);

  // ---- the form: checked as it is edited, errors naming the field ----
  const texts = (): Partial<Record<OptionKey, string>> => {
    const out: Partial<Record<OptionKey, string>> = {};
    for (const [key, c] of controls) {
      if (c.disabled) continue; // the op's one algorithm, or an op that does not reduce
      out[key] = c instanceof HTMLInputElement && c.type === "checkbox" ? (c.checked ? "1" : "0") : c.value.trim();
    }
    out.runtime = "chromium";
    return out;
  };
  const showError = (message: string | undefined, field?: OptionKey) => {
    for (const [key, c] of controls) {
      const bad = message !== undefined && key === field;
      c.classList.toggle("invalid", bad);
      c.setAttribute("aria-invalid", String(bad));
    }
    formError.hidden = message === undefined;
    // The message names the field already ("“max size” expects …"), as the user sees it.
    formError.textContent = message ?? "";
  };
  let parsed: BenchOptions | undefined;
  const validate = (): BenchOptions | undefined => {
    const algo = controls.get("algo")!;
    algo.disabled = controls.get("op")!.value !== "all_reduce";
    if (algo.disabled) algo.value = "auto";
    const redop = controls.get("redop")!;
    redop.disabled = !["all_reduce", "reduce_scatter"].includes(controls.get("op")!.value);
    try {
      const o = parseFields(texts(), "chromium", NAMES);
      const sizes = sweep(o, NAMES);
      const last = sizes[sizes.length - 1];
      plan.textContent = `${sizes.length} size${sizes.length === 1 ? "" : "s"}: ${sizes.slice(0, 3).map(formatBytes).join(", ")}` +
        `${sizes.length > 4 ? ", …" : ""}${sizes.length > 3 ? `, ${formatBytes(last)}` : ""}` +
        (last < o.maxBytes ? ` (the next step would pass the max size ${formatBytes(o.maxBytes)})` : "");
      plan.classList.toggle("warn", last < o.maxBytes);
      showError(undefined);
      parsed = o;
    } catch (e) {
      if (!(e instanceof BenchFlagError)) throw e;
      plan.textContent = "";
      showError(e.message, e.field);
      parsed = undefined;
    }
    updateButton();
    return parsed;
  };

  // ---- who may run: the lock, and the other panels' use of it ----
  let running = false;
  let edited = false;
  const updateButton = () => {
    const other = session.holder !== undefined && session.holder !== "benchmark";
    run.disabled = running || parsed === undefined || other;
    run.title = running ? "the benchmark is running" : parsed === undefined ? "fix the field marked in red first"
      : other ? `waiting: the ${session.holder} panel is using the ranks` : "";
    fieldset.disabled = running;
  };
  session.addEventListener("busy", updateButton);
  session.onWorld(() => {
    // Follow the Launch panel's world size and backend until the user sets them here.
    if (!edited && !running) {
      controls.get("ranks")!.value = String(session.options.worldSize);
      controls.get("backend")!.value = session.options.backend;
      validate();
    }
  });
  form.addEventListener("input", (e) => {
    if (e.target === controls.get("ranks") || e.target === controls.get("backend")) edited = true;
    validate();
  });
  form.addEventListener("change", () => validate());
  validate();

  // ---- the run ----
  let plot: uPlot | undefined;
  let blobUrl: string | undefined;
  let current: BenchOptions | undefined;
  const redraw = (rows: readonly RowResult[], baselines: BenchReport["baselines"]) => {
    if (current === undefined) return;
    plot = drawChart(chart, { op: current.op, ranks: current.ranks, rows, baselines }, plot);
    const { table: bt, note } = baselinesTable(rows, baselines);
    baselinesBox.replaceChildren(...(bt ? [bt] : []), ...(note ? [el("p", { className: "bench-note", textContent: note })] : []));
    if (!bt && !note) baselinesBox.replaceChildren(el("p", { className: "bench-note", textContent: "not measured in this run (the baselines box was off)" }));
  };
  const onProgress = (p: BenchProgress) => {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    const phase = p.phase === "launched" ? "ranks up, starting"
      : p.phase === "measuring" ? `measuring ${formatBytes(p.size!)} with ${p.algo}`
      : p.phase === "measured" ? `measured ${formatBytes(p.size!)}`
      : `done in ${(p.elapsedMs / 1000).toFixed(1)} s`;
    barText.textContent = `${p.done} / ${p.total} sizes · ${phase}`;
    bar.dataset.phase = p.phase;
    perAlgo.replaceChildren(...p.perAlgo.map((a) => {
      const li = el("li", { className: a.done === a.total ? "done" : "" },
        el("span", { className: "bench-algo-name", textContent: a.algo === "default" ? current?.op ?? a.algo : a.algo }),
        el("progress", { max: a.total, value: a.done }), ` ${a.done} / ${a.total}`);
      li.dataset.algo = a.algo;
      return li;
    }));
    if (p.phase === "launched") {
      results.hidden = false;
      summary.textContent = `${current!.op} · ${current!.dtype}${current!.op === "all_reduce" ? ` · ${current!.redop}` : ""} · ` +
        `${current!.ranks} rank${current!.ranks === 1 ? "" : "s"} · ${current!.backend} · ${p.adapters[0] ?? "no adapter"}`;
    }
    if (p.phase === "measured" && p.row) {
      tbody.append(...resultRows(p.row));
      redraw(p.rows, p.baselines);
    }
    if (p.phase === "done") redraw(p.rows, p.baselines);
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const o = validate();
    if (o === undefined || running) return;
    running = true;
    current = o;
    updateButton();
    void session.exclusive("benchmark", async () => {
      tbody.replaceChildren();
      calls.replaceChildren();
      chart.replaceChildren();
      baselinesBox.replaceChildren();
      text.textContent = "";
      results.hidden = true;
      progress.hidden = false;
      bar.value = 0;
      bar.max = 1;
      bar.dataset.phase = "launching";
      barText.textContent = `launching ${o.ranks} rank${o.ranks === 1 ? "" : "s"} for the benchmark…`;
      perAlgo.replaceChildren();
      download.removeAttribute("href");
      status.className = "bench-status";
      status.textContent = "running";
      const callLines: string[] = [];
      let lastErr = "";
      try {
        const outcome = await benchRun(o, {
          out: (line) => {
            text.textContent += `${line}\n`;
            // The header's "# algo: out-of-place CALL" / "#   in-place CALL" lines: which op each placement calls.
            const m = /^# (\w+): out-of-place (.*)$/.exec(line) ?? /^#\s+(in-place)\s+(.*)$/.exec(line);
            const call = (c: string) => c.replace(/^N\/A: /, "none: ");
            if (m) callLines.push(m[1] === "in-place" ? `  in-place: ${call(m[2])}` : `${m[1]} — out-of-place: ${call(m[2])}`);
          },
          err: (line) => {
            lastErr = line.replace(/^bench: /, "");
          },
        }, { version: "demo", rankWorker, names: NAMES, onProgress });
        calls.replaceChildren(...groupCalls(callLines).map((c) => el("li", {}, c)));
        const report = outcome.report;
        if (report !== undefined) {
          if (blobUrl) URL.revokeObjectURL(blobUrl);
          blobUrl = URL.createObjectURL(new Blob([jsonText(report)], { type: "application/json" }));
          download.href = blobUrl;
          const algo = o.op === "all_reduce" ? o.algo : o.op;
          download.download = `${algo}-chromium-${o.backend}-${o.ranks}.json`;
          const wrong = report.rows.flatMap((r) => [r.outOfPlace, r.inPlace]).reduce((s, m) => s + (m?.wrong ?? 0), 0);
          if (!o.check) {
            status.textContent = "done: results not checked (verify results was off)";
            status.classList.add("warn");
          } else if (wrong === 0) {
            status.textContent = "done: every result checked, 0 wrong";
            status.classList.add("ok");
          } else {
            status.textContent = `done: ${wrong} wrong elements (see the #wrong column)`;
            status.classList.add("error");
          }
        } else {
          const err = outcome.error as (Error & { field?: OptionKey }) | undefined;
          const message = err?.message ?? (lastErr || `failed (exit code ${outcome.code})`);
          status.textContent = `failed: ${message}`;
          status.classList.add("error");
          barText.textContent = `${bar.value} / ${bar.max} sizes · failed`;
          bar.dataset.phase = "failed";
          if (err?.field !== undefined) showError(message, err.field);
        }
      } catch (err) {
        status.textContent = `failed: ${(err as Error).name}: ${(err as Error).message}`;
        status.classList.add("error");
        bar.dataset.phase = "failed";
      }
    }).finally(() => {
      running = false;
      updateButton();
    });
  });

  window.addEventListener("resize", () => plot?.setSize({ width: Math.max(320, chart.clientWidth), height: 320 }));
};

/** "algo — out-of-place: …" and "  in-place: …" lines into one item per algorithm. */
function groupCalls(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l.startsWith("  in-place: ") && out.length > 0) out[out.length - 1] += `; ${l.trim()}`;
    else out.push(l);
  }
  return out;
}
