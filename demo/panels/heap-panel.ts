/**
 * The Heap map panel: every rank's heap drawn to scale (each live allocation with its id, offset,
 * size, dtype, group and, for the dispatcher's workspaces, which op it is for), refreshed after
 * every action of any panel; and the signal pads drawn live while a barrier or a collective runs,
 * with a slow-motion mode that walks through a one-shot or two-shot all-reduce (or a barrier)
 * stage by stage, written with the public handle API and checked against rank.allReduce.
 */
import type { HeapSnapshot, World } from "../../src/index.ts";
import { el } from "../dom.ts";
import { formatBytes } from "../heap/format.ts";
import { legend, renderBars, renderTable, symmetricAcrossRanks, type HeapScale } from "../heap/heap-bars.ts";
import { PadView } from "../heap/pad-view.ts";
import { HEAP_STAGES, heapInput, type HeapAlgo } from "../heap/stages.ts";
import type { HeapRunOptions, HeapRunResult } from "../ranks/heap-ranks.ts";
import type { DemoSession, MountPanel } from "../session.ts";
import "./heap.css";

const SNAPSHOT = "heap map (reading the heaps)";
const ACTION = "heap map";
const MAX_N = 1 << 20;

/** For tests: asks the ranks for their heaps directly (not through the page's drawing). */
export interface HeapMapTestHook {
  snapshot(): Promise<HeapSnapshot[]>;
}

export const mountHeapPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const field = (label: string, input: HTMLElement) => el("div", { className: "field" }, el("label", { htmlFor: input.id, textContent: label }), input);
  const nInput = el("input", { id: "heap-n", type: "number", min: "1", max: String(MAX_N), step: "1", value: "4096" });
  const slowInput = el("input", { id: "heap-slow", type: "checkbox", checked: true });
  const pauseInput = el("input", { id: "heap-pause", type: "number", min: "50", max: "5000", step: "50", value: "700" });
  const scaleSelect = el("select", { id: "heap-scale" },
    el("option", { value: "span", textContent: "allocated part" }), el("option", { value: "heap", textContent: "whole heap" }));
  const rankSelect = el("select", { id: "heap-rank" });
  const barrierBtn = el("button", { id: "heap-barrier", type: "button", textContent: "barrier" });
  const oneShotBtn = el("button", { id: "heap-one-shot", type: "button", textContent: "one-shot all-reduce" });
  const twoShotBtn = el("button", { id: "heap-two-shot", type: "button", textContent: "two-shot all-reduce" });
  const refreshBtn = el("button", { id: "heap-refresh", type: "button", className: "secondary", textContent: "refresh" });
  const fieldError = el("p", { id: "heap-field-error", className: "field-error", hidden: true });
  const status = el("p", { id: "heap-status", className: "status", role: "status" });
  const stageTitle = el("strong", { id: "heap-stage-title" });
  const stageCaption = el("span", { id: "heap-stage-caption" });
  const stageRanks = el("div", { id: "heap-stage-ranks", className: "stage-ranks" });
  const stageBox = el("div", { id: "heap-stage", className: "heap-stage", hidden: true }, stageTitle, " ", stageCaption, stageRanks);
  const summary = el("p", { id: "heap-summary", className: "hint" });
  const bars = el("div", { id: "heap-bars", className: "heap-bars" });
  const duringBars = el("div", { id: "heap-bars-during", className: "heap-bars" });
  const duringBox = el("details", { id: "heap-during", hidden: true },
    el("summary", { textContent: "during the last slow-motion run (its own buffer, freed at the end, included)" }), duringBars);
  const table = el("table", { id: "heap-table", className: "data" });
  table.createTHead().insertRow().append(...["id", "offset", "size", "dtype[shape]", "group", "label (what it is for)"]
    .map((t) => el("th", { textContent: t })));
  const tbody = table.createTBody();
  const pads = new PadView();
  const padStatus = el("p", { id: "heap-pad-status", className: "hint" });
  const controls = [barrierBtn, oneShotBtn, twoShotBtn, refreshBtn, nInput, slowInput, pauseInput];

  root.append(
    el("p", { className: "intro", innerHTML:
      "Each rank's slab of the symmetric heap, to scale: every live allocation (<code>symm.empty</code>, and the " +
      "workspaces the dispatcher makes for ops) sits at the same offset on every rank. Below, the signal pads " +
      "(<code>pad[dst][size × channel + src]</code>): a cell lights up when <code>src</code> calls " +
      "<code>putSignal(dst)</code> (0 → 1) and goes dark when <code>dst</code>'s <code>waitSignal(src)</code> " +
      "consumes it (1 → 0). The map refreshes after every action of any panel." }),
    el("div", { className: "controls" },
      field("elements (float32)", nInput),
      el("div", { className: "field heap-check" }, el("label", { htmlFor: "heap-slow", textContent: "slow motion" }), slowInput),
      field("pause (ms)", pauseInput),
      barrierBtn, oneShotBtn, twoShotBtn, refreshBtn),
    fieldError, status, stageBox,
    el("h3", { textContent: "Allocations" }),
    el("div", { className: "controls" }, field("bar scale", scaleSelect), field("table for", rankSelect)),
    summary, bars, duringBox, legend(), el("div", { className: "table-scroll" }, table),
    el("h3", { textContent: "Signal pads" }), padStatus, pads.root,
  );

  let snapshots: HeapSnapshot[] = [];
  let duringSnapshots: HeapSnapshot[] = [];
  let running = false; // one of our own actions is running
  let lastHolder: string | undefined;
  let refreshQueued = false;
  let progress: { words: Int32Array; algo: HeapAlgo } | undefined;
  let polling = false;

  function setStatus(text: string, kind: "" | "ok" | "error" | "pending" = ""): void {
    status.textContent = text;
    status.className = `status${kind ? ` ${kind}` : ""}`;
  }

  function updateControls(): void {
    const free = session.world !== undefined && session.holder === undefined && !running;
    for (const c of controls) c.disabled = !free;
    pauseInput.disabled ||= !slowInput.checked;
    const world = session.world;
    if (world === undefined) setStatusIdle("no ranks are running: launch them in the Launch panel");
    else if (running || session.holder === SNAPSHOT) return;
    else if (session.holder !== undefined) setStatusIdle(`waiting: the ${session.holder} panel is using the ranks`);
    else {
      setStatusIdle(`${world.worldSize} ranks ready. Slow motion runs the demo's own barrier or all-reduce (handle API) ` +
        "and pauses at every stage; without it, the library's collective runs at full speed.");
    }
  }
  let idleText = "";
  function setStatusIdle(text: string): void {
    // Only replaces a status this function set (a result or an error stays until the next action).
    if (status.textContent === idleText || status.textContent === "") setStatus(text);
    idleText = text;
  }

  function draw(): void {
    const scale = scaleSelect.value as HeapScale;
    renderBars(bars, snapshots, scale);
    duringBox.hidden = duringSnapshots.length === 0;
    renderBars(duringBars, duringSnapshots, scale);
    const r = Math.min(Number(rankSelect.value) || 0, snapshots.length - 1);
    renderTable(tbody, snapshots[r]);
    if (snapshots.length === 0) {
      summary.textContent = "";
      return;
    }
    const s0 = snapshots[0];
    summary.textContent = `${s0.allocations.length} live allocation(s) on rank 0, ${formatBytes(s0.capacity - s0.freeBytes)} of ` +
      `${formatBytes(s0.capacity)} used (largest free block ${formatBytes(s0.largestFreeBlock)}); ` +
      (symmetricAcrossRanks(snapshots)
        ? `all ${snapshots.length} ranks report the same ids at the same offsets.`
        : "the ranks' allocations differ (allocations for a subgroup exist only on its members).");
    summary.dataset.count = String(s0.allocations.length);
  }

  function takeSnapshot(): Promise<HeapSnapshot[]> {
    return session.exclusive(SNAPSHOT, () => session.requireWorld().run<HeapSnapshot>("heapSnapshot"));
  }

  async function refresh(): Promise<void> {
    if (refreshQueued) return;
    refreshQueued = true;
    try {
      const world = session.world;
      const got = await takeSnapshot();
      if (world !== session.world) return;
      snapshots = got;
      if (rankSelect.options.length !== got.length) {
        rankSelect.replaceChildren(...got.map((_, r) => el("option", { value: String(r), textContent: `rank ${r}` })));
      }
      pads.layout(got[0].groups);
      draw();
      pollOnce();
      root.dataset.snapshots = String(Number(root.dataset.snapshots ?? 0) + 1);
    } catch (e) {
      if (session.world !== undefined) setStatus(`could not read the heaps: ${(e as Error).name}: ${(e as Error).message}`, "error");
    } finally {
      refreshQueued = false;
    }
  }

  // --- the signal pads, polled every animation frame while anything holds the world ---
  function pollOnce(): void {
    const world = session.world;
    if (world === undefined || world.closed) return;
    const lit = pads.update(world.signalPads());
    padStatus.textContent = `${lit} slot(s) up now; at most ${pads.peakLit} at once during the last run.`;
    padStatus.dataset.lit = String(lit);
    padStatus.dataset.peak = String(pads.peakLit);
    if (progress !== undefined) showStages(progress.words, progress.algo);
  }
  function startPolling(): void {
    if (polling) return;
    polling = true;
    const frame = () => {
      pollOnce();
      if (session.holder !== undefined || running) requestAnimationFrame(frame);
      else polling = false;
    };
    requestAnimationFrame(frame);
  }

  function showStages(words: Int32Array, algo: HeapAlgo): void {
    const stages = HEAP_STAGES[algo];
    const per = Array.from(words, (k) => Math.max(0, Math.min(stages.length - 1, k)));
    const slowest = Math.min(...per);
    const s = stages[slowest];
    const title = `${slowest + 1}/${stages.length} ${s.title}:`;
    if (stageTitle.textContent !== title) {
      stageTitle.textContent = title;
      stageCaption.textContent = s.caption;
      stageBox.dataset.stage = s.title;
    }
    pads.highlightChannel(s.channel);
    const chips = per.map((k, r) => `rank ${r}: ${stages[k].title}`).join(" · ");
    if (stageRanks.textContent !== chips) stageRanks.textContent = chips;
  }

  // --- actions ---
  function readInputs(algo: HeapAlgo): { n: number; pauseMs: number } | undefined {
    const bad = (input: HTMLInputElement, message: string) => {
      input.setAttribute("aria-invalid", "true");
      fieldError.textContent = message;
      fieldError.hidden = false;
      input.focus();
      return undefined;
    };
    for (const i of [nInput, pauseInput]) i.removeAttribute("aria-invalid");
    fieldError.hidden = true;
    const shown = (v: string) => (v.trim() === "" ? "an empty or non-numeric field" : `"${v}"`);
    const n = Number(nInput.value);
    if (algo !== "barrier" && (nInput.value.trim() === "" || !Number.isInteger(n) || n < 1 || n > MAX_N)) {
      return bad(nInput, `elements must be a whole number from 1 to ${MAX_N.toLocaleString("en")}, found ${shown(nInput.value)}`);
    }
    const pauseMs = Number(pauseInput.value);
    if (slowInput.checked && (pauseInput.value.trim() === "" || !Number.isFinite(pauseMs) || pauseMs < 50 || pauseMs > 5000)) {
      return bad(pauseInput, `pause must be a number of milliseconds from 50 to 5000, found ${shown(pauseInput.value)}`);
    }
    return { n, pauseMs };
  }

  async function act(algo: HeapAlgo): Promise<void> {
    const inputs = readInputs(algo);
    if (inputs === undefined) return;
    let world: World;
    try {
      world = session.requireWorld();
    } catch (e) {
      setStatus((e as Error).message, "error");
      return;
    }
    const slow = slowInput.checked;
    const { n, pauseMs } = inputs;
    const name = algo === "barrier" ? "barrier" : `${algo.replace("_", "-")} all-reduce of ${n.toLocaleString("en")} float32`;
    running = true;
    updateControls();
    const words = new Int32Array(new SharedArrayBuffer(4 * world.worldSize));
    progress = slow ? { words, algo } : undefined;
    pads.highlightChannel(undefined);
    stageBox.hidden = !slow;
    pads.resetSeen();
    setStatus(`${name}${slow ? " in slow motion" : ""} on ${world.worldSize} ranks…`, "pending");
    const opts: HeapRunOptions = { algo, n: algo === "barrier" ? 0 : n, slow, pauseMs, progress: words.buffer as SharedArrayBuffer };
    try {
      startPolling();
      const results = await session.exclusive(ACTION, () => {
        startPolling();
        return world.run<HeapRunResult>("heapRun", opts);
      });
      pollOnce();
      duringSnapshots = results.flatMap((r) => (r.during ? [r.during] : []));
      if (duringSnapshots.length === results.length) duringBox.open = true;
      else duringSnapshots = [];
      draw();
      const verdict = verify(algo, n, slow, results);
      setStatus(verdict.text, verdict.ok ? "ok" : "error");
      status.dataset.verified = String(verdict.ok);
    } catch (e) {
      const message = (e as Error).message;
      const hint = /heap exhausted/.test(message)
        ? "\nThe heap is too small for this run: lower \"elements\", or relaunch with a larger heap size (Launch panel)."
        : "";
      setStatus(`${name} failed: ${(e as Error).name}: ${message}${hint}`, "error");
      status.dataset.verified = "false";
    } finally {
      running = false;
      updateControls();
      pollOnce();
    }
  }

  function verify(algo: HeapAlgo, n: number, slow: boolean, results: HeapRunResult[]): { ok: boolean; text: string } {
    const ms = Math.max(...results.map((r) => r.ms));
    const W = results.length;
    if (algo === "barrier") {
      return { ok: true, text: `barrier passed on ${W} ranks (${ms.toFixed(1)} ms${slow ? ", with the pauses" : ""}); every pad slot is back at 0.` };
    }
    // Independent of the library: the sum over ranks of each rank's input, in float64 (exact: small integers).
    let wrong = 0;
    for (const r of results) {
      for (let i = 0; i < n; i++) {
        let expect = 0;
        for (let q = 0; q < W; q++) expect += heapInput(q, i);
        if (r.values[i] !== expect) wrong++;
      }
      if (r.values.length !== n) wrong += Math.abs(n - r.values.length);
    }
    const differ = results.reduce((s, r) => s + Math.max(0, r.differFromLibrary), 0);
    const label = algo.replace("_", "-");
    const first = results[0].values;
    const sample = n > 0 ? ` (rank 0: [${first[0]}, … ${first[n - 1]}])` : "";
    const how = slow
      ? `the demo's ${label} (handle API, slow motion) gives the same bits as rank.allReduce({ algo: "${algo}" }) on every rank` +
        (differ > 0 ? ` — NOT: ${differ} element(s) differ` : "")
      : `rank.allReduce({ algo: "${algo}" })`;
    const ok = wrong === 0 && differ === 0;
    return {
      ok,
      text: `${ok ? "verified" : "NOT verified"}: ${W} ranks × ${n.toLocaleString("en")} float32, ${how}; ` +
        `${wrong === 0 ? "every element equals" : `${wrong} element(s) differ from`} the sum computed in the page${sample}. ` +
        `${ms.toFixed(1)} ms.`,
    };
  }

  barrierBtn.addEventListener("click", () => void act("barrier"));
  oneShotBtn.addEventListener("click", () => void act("one_shot"));
  twoShotBtn.addEventListener("click", () => void act("two_shot"));
  refreshBtn.addEventListener("click", () => void refresh());
  slowInput.addEventListener("change", updateControls);
  scaleSelect.addEventListener("change", draw);
  rankSelect.addEventListener("change", draw);

  session.addEventListener("busy", () => {
    const holder = session.holder;
    if (holder !== undefined) {
      lastHolder = holder;
      startPolling();
    } else if (lastHolder !== SNAPSHOT && session.world !== undefined) {
      // Something else used the ranks: their heaps may have changed.
      void refresh();
    }
    updateControls();
  });
  session.onWorld((world) => {
    snapshots = [];
    duringSnapshots = [];
    rankSelect.replaceChildren();
    draw();
    stageBox.hidden = true;
    if (world !== undefined) {
      // The world group's pads are known before any snapshot: first in the pad area, worldSize ranks.
      const p = world.signalPads();
      pads.layout([{
        name: "world", index: 0, ranks: Array.from({ length: world.worldSize }, (_, i) => i), padOffset: 0,
        size: world.worldSize, channels: p.channels, internalChannels: p.internalChannels,
        words: world.worldSize * world.worldSize * (p.channels + p.internalChannels),
      }]);
      pollOnce();
    } else {
      pads.layout([]);
    }
    updateControls();
  });

  (globalThis as { __heapMap?: HeapMapTestHook }).__heapMap = { snapshot: takeSnapshot };
};
