/**
 * The Training panel: data-parallel training of a small MLP (2 → H → H → 2, tanh, softmax
 * cross-entropy) on two spirals generated in the page from a seed. Every rank trains on its shard
 * of each global batch and the ranks all-reduce one flat gradient tensor per step
 * (demo/ranks/train-ranks.ts; WGSL kernels on webgpu, demo/train/kernels.ts). The loss and the
 * accuracy are plotted (uPlot) as chunks of steps return; then rank 0 trains alone on the same
 * data, seed and global batch, and both curves are drawn and compared within a stated tolerance.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./train.css";
import type { World } from "../../src/index.ts";
import { el } from "../dom.ts";
import type { TrainChunk, TrainFinish, TrainMode, TrainSetupResult } from "../ranks/train-ranks.ts";
import type { DemoSession, MountPanel } from "../session.ts";
import {
  CHUNK_STEPS, DEFAULT_CONFIG, FIELDS, GRAD_CHECK_TOLERANCE, LOSS_TOLERANCE, MOMENTUM, POINTS, mlpSizes,
  parseConfig, type TrainConfig,
} from "../train/config.ts";
import { twoSpirals, type Dataset } from "../train/dataset.ts";
import { accuracy, meanLoss, mlpLayout, predict } from "../train/mlp.ts";

const LABEL = "training";
const ALGOS = ["auto", "one_shot", "two_shot", "host"] as const;
/** The decision-region canvas shows [-VIEW, VIEW]². */
const VIEW = 3;

interface PhaseResult {
  readonly losses: number[];
  readonly accs: number[];
  readonly steps: number;
  readonly wallMs: number;
  readonly computeMs: number;
  readonly commMs: number;
  readonly gradCheck: number | null;
  readonly params: Float32Array | null;
  readonly hashes: string[];
  readonly stopped: boolean;
}

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
const exp = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

export const mountTrainPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const inputs = new Map<keyof TrainConfig, HTMLInputElement>();
  for (const f of FIELDS) {
    inputs.set(f.key, el("input", {
      id: `train-${f.key}`, value: String(DEFAULT_CONFIG[f.key]), inputMode: f.integer ? "numeric" : "decimal",
      title: `${f.label}: ${f.min} to ${f.max}`,
    }));
  }
  const algo = el("select", { id: "train-algo", title: "rank.allReduce's algo option; auto picks by size from the tuning table" },
    ...ALGOS.map((a) => el("option", { value: a, textContent: a })));
  const run = el("button", { id: "train-run", type: "submit", textContent: "train" });
  const stop = el("button", { id: "train-stop", type: "button", textContent: "stop", disabled: true });
  const form = el("form", { id: "train-controls", className: "train-controls" },
    ...FIELDS.map((f) => el("label", {}, f.label, inputs.get(f.key)!)), el("label", {}, "all-reduce", algo), run, stop);
  const status = el("p", { id: "train-status", className: "train-status", role: "status", textContent: "not run yet" });
  const chartBox = el("div", { id: "train-chart", className: "train-chart" });
  const canvas = el("canvas", { id: "train-boundary", width: 220, height: 220 });
  const boundary = el("figure", { className: "train-boundary" }, canvas, el("figcaption", { textContent: "decision regions (rank 0's parameters)" }));
  const cell = (id: string) => el("td", { id: `train-${id}`, textContent: "–" });
  const dpHead = el("th", { textContent: "data-parallel" });
  const rows: [string, string][] = [
    ["steps", "steps done"], ["rate", "steps/s"], ["compute", "compute ms/step (mean of ranks)"], ["comm", "all-reduce ms/step (mean of ranks)"],
    ["loss", "batch loss, last step"], ["final-loss", `loss on all ${POINTS} points`], ["final-acc", `accuracy on all ${POINTS} points`],
  ];
  const numbers = el("table", { id: "train-numbers", className: "train-numbers" },
    el("thead", {}, el("tr", {}, el("th", { textContent: "" }), dpHead, el("th", { textContent: "single rank" }))),
    el("tbody", {}, ...rows.map(([id, label]) => el("tr", {}, el("td", { textContent: label }), cell(`dp-${id}`), cell(`single-${id}`)))));
  const gradCheck = el("p", { id: "train-gradcheck", className: "train-note", textContent: "" });
  const replicas = el("p", { id: "train-replicas", className: "train-note", textContent: "" });
  const shards = el("p", { id: "train-shards", className: "train-note", textContent: "" });
  const verdict = el("p", { id: "train-verdict", className: "train-verdict", textContent: "" });
  const tolerance = el("span", { id: "train-tolerance", textContent: String(LOSS_TOLERANCE) });
  const lead = el("p", { className: "lead" },
    `A 2 → H → H → 2 MLP (H the hidden size, ${DEFAULT_CONFIG.hidden} by default; tanh, softmax cross-entropy, SGD with momentum ${MOMENTUM}) on ${POINTS} points of two spirals made in the page from the seed. `,
    "Each rank trains on its shard of every global batch; the ranks all-reduce one flat tensor of every parameter's gradient sum (and the shard's loss and correct count) with ",
    el("code", { textContent: 'rank.allReduce(grad, { op: "sum" })' }),
    " each step, then scale it by 1/batch. On webgpu the forward and backward passes are WGSL compute shaders on each rank's own device. ",
    "Then rank 0 trains alone on the same data, seed and global batch: the two loss curves must agree within ", tolerance,
    " at every step (only float32 rounding differs: the sums are added in another order).");
  root.append(lead, form, status, el("div", { className: "train-figures" }, chartBox, boundary), numbers, shards, gradCheck, replicas, verdict);

  // ── the chart ──
  let plot: uPlot | undefined;
  const chartWidth = () => Math.max(320, Math.min(720, chartBox.clientWidth || 560));
  function newChart(steps: number, world: number): { xs: number[]; series: (number | null)[][] } {
    plot?.destroy();
    const xs = Array.from({ length: steps }, (_, i) => i + 1);
    const series = [0, 1, 2, 3].map(() => xs.map(() => null as number | null));
    plot = new uPlot({
      width: chartWidth(), height: 260,
      scales: { x: { time: false }, loss: { distr: 3 }, acc: { range: [0, 1] } },
      axes: [
        { label: "step" },
        { scale: "loss", label: "loss (log)", size: 60 },
        { scale: "acc", label: "batch accuracy", side: 1, grid: { show: false } },
      ],
      series: [
        { label: "step" },
        { label: `loss, ${world} ranks`, scale: "loss", stroke: "#1a5fb4", width: 2 },
        { label: "loss, 1 rank", scale: "loss", stroke: "#e66100", width: 1.5, dash: [6, 4] },
        { label: `accuracy, ${world} ranks`, scale: "acc", stroke: "#26a269", width: 1 },
        { label: "accuracy, 1 rank", scale: "acc", stroke: "#c061cb", width: 1, dash: [6, 4] },
      ],
    }, [xs, ...series] as uPlot.AlignedData, chartBox);
    return { xs, series };
  }

  // ── the decision regions ──
  let data: Dataset | undefined;
  function drawBoundary(cfg: TrainConfig, params: Float32Array | null): void {
    const ctx = canvas.getContext("2d");
    if (ctx === null) return;
    if (data === undefined || data.n !== POINTS) data = twoSpirals(cfg.seed, POINTS);
    const W = canvas.width;
    const g = 55;
    const toPx = (v: number) => ((v + VIEW) / (2 * VIEW)) * W;
    ctx.clearRect(0, 0, W, W);
    if (params !== null) {
      const grid = new Float32Array(2 * g * g);
      for (let r = 0; r < g; r++) for (let c = 0; c < g; c++) {
        grid[2 * (r * g + c)] = -VIEW + ((c + 0.5) / g) * 2 * VIEW;
        grid[2 * (r * g + c) + 1] = VIEW - ((r + 0.5) / g) * 2 * VIEW;
      }
      const { p1 } = predict(mlpLayout(mlpSizes(cfg.hidden)), params, grid, g * g);
      const cellPx = W / g;
      for (let i = 0; i < g * g; i++) {
        const p = p1[i];
        ctx.fillStyle = `rgb(${Math.round(200 + 50 * p)}, ${Math.round(215 + 10 * (1 - Math.abs(2 * p - 1)))}, ${Math.round(250 - 50 * p)})`;
        ctx.fillRect((i % g) * cellPx, Math.floor(i / g) * cellPx, cellPx + 0.5, cellPx + 0.5);
      }
    }
    for (let i = 0; i < data.n; i++) {
      ctx.fillStyle = data.y[i] === 0 ? "#1a5fb4" : "#c01c28";
      ctx.fillRect(toPx(data.x[2 * i]) - 1.5, W - toPx(data.x[2 * i + 1]) - 1.5, 3, 3);
    }
  }

  // ── controls: enabled when there is a world and nobody else holds it ──
  let running = false;
  let stopRequested = false;
  function refresh(): void {
    const free = session.world !== undefined && (session.holder === undefined || session.holder === LABEL);
    run.disabled = running || !free;
    for (const i of inputs.values()) i.disabled = running;
    algo.disabled = running;
    stop.disabled = !running;
    run.title = session.world === undefined ? "launch the ranks first (Launch panel)"
      : !free ? `the ranks are busy (${session.holder})` : "";
  }
  session.addEventListener("busy", refresh);
  session.onWorld(refresh);
  stop.addEventListener("click", () => {
    stopRequested = true;
    stop.disabled = true;
    status.textContent += " — stopping…";
  });

  const setCell = (id: string, text: string, value?: number) => {
    const c = root.querySelector<HTMLElement>(`#train-${id}`)!;
    c.textContent = text;
    if (value !== undefined) c.dataset.value = String(value);
  };
  const fail = (message: string) => {
    status.textContent = message;
    status.classList.add("error");
  };

  /** One phase: set up on every rank, run chunk by chunk (plotting), finish. */
  async function phase(world: World, cfg: TrainConfig, mode: TrainMode, onChunk: (done: number, r: PhaseResult) => void): Promise<PhaseResult> {
    const setup = (await world.run<TrainSetupResult | null>("trainSetup", cfg, mode, CHUNK_STEPS, algo.value)).filter((s) => s !== null);
    if (mode === "parallel") {
      shards.textContent = `Shards of each batch of ${cfg.batch} rows: ${setup.map((s) => `rank ${s.rank}: ${s.rows}`).join(", ")}; `
        + `one all-reduce of ${setup[0].paramCount} gradient sums + 2 stats (${((setup[0].paramCount + 2) * 4 / 1024).toFixed(1)} KiB) per step (algorithm ${algo.value === "auto" ? "auto: the tuning table picks by size" : algo.value}), ${CHUNK_STEPS} steps per world.run.`;
    }
    const losses: number[] = [];
    const accs: number[] = [];
    let computeMs = 0;
    let commMs = 0;
    let gradCheck: number | null = null;
    let params: Float32Array | null = null;
    const start = performance.now();
    const snapshot = (stopped: boolean, hashes: string[] = []): PhaseResult => ({
      losses, accs, steps: losses.length, wallMs: performance.now() - start, computeMs, commMs, gradCheck, params, hashes, stopped,
    });
    try {
      while (losses.length < cfg.steps && !stopRequested) {
        const n = Math.min(CHUNK_STEPS, cfg.steps - losses.length);
        const chunks = (await world.run<TrainChunk | null>("trainSteps", n)).filter((c) => c !== null);
        losses.push(...chunks[0].losses);
        accs.push(...chunks[0].accs);
        computeMs += chunks.reduce((s, c) => s + c.computeMs, 0) / chunks.length;
        commMs += chunks.reduce((s, c) => s + c.commMs, 0) / chunks.length;
        const checks = chunks.map((c) => c.gradCheck).filter((g) => g !== null);
        if (checks.length > 0) gradCheck = Math.max(...checks);
        params = chunks[0].params ?? params;
        onChunk(losses.length, snapshot(false));
      }
      if (stopRequested && losses.length < cfg.steps) {
        await world.run("trainAbort");
        return snapshot(true);
      }
      const fin = (await world.run<TrainFinish | null>("trainFinish")).filter((f) => f !== null);
      params = fin[0].params;
      return snapshot(false, fin.map((f) => f.hash));
    } catch (err) {
      await world.run("trainAbort").catch(() => {});
      throw err;
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (running) return;
    status.classList.remove("error");
    verdict.textContent = "";
    verdict.className = "train-verdict";
    let cfg: TrainConfig;
    const worldSize = session.world?.worldSize ?? 0;
    try {
      session.requireWorld();
      const values = Object.fromEntries(FIELDS.map((f) => [f.key, inputs.get(f.key)!.value])) as Record<keyof TrainConfig, string>;
      cfg = parseConfig(values, worldSize);
    } catch (err) {
      fail((err as Error).message);
      return;
    }
    running = true;
    stopRequested = false;
    refresh();
    status.textContent = "waiting for the ranks…";
    void session.exclusive(LABEL, async () => {
      const world = session.requireWorld();
      const W = world.worldSize;
      const layout = mlpLayout(mlpSizes(cfg.hidden));
      dpHead.textContent = `data-parallel, ${W} ranks`;
      for (const [id] of rows) { setCell(`dp-${id}`, "–"); setCell(`single-${id}`, "–"); }
      for (const p of [gradCheck, replicas, shards]) {
        p.textContent = "";
        p.classList.remove("error");
        delete p.dataset.value;
      }
      data = twoSpirals(cfg.seed, POINTS);
      drawBoundary(cfg, null);
      const chart = newChart(cfg.steps, W);
      const show = (prefix: string, r: PhaseResult, lossSeries: number, accSeries: number) => {
        for (let i = 0; i < r.steps; i++) {
          chart.series[lossSeries][i] = Math.max(r.losses[i], 1e-7); // log scale: no zeros
          chart.series[accSeries][i] = r.accs[i];
        }
        plot!.setData([chart.xs, ...chart.series] as uPlot.AlignedData);
        setCell(`${prefix}steps`, `${r.steps} / ${cfg.steps}`, r.steps);
        const rate = r.steps / (r.wallMs / 1000);
        setCell(`${prefix}rate`, fmt(rate, 1), rate);
        setCell(`${prefix}compute`, fmt(r.computeMs / r.steps, 2), r.computeMs / r.steps);
        setCell(`${prefix}comm`, fmt(r.commMs / r.steps, 2), r.commMs / r.steps);
        setCell(`${prefix}loss`, fmt(r.losses[r.steps - 1]), r.losses[r.steps - 1]);
      };
      const final = (prefix: string, params: Float32Array) => {
        const l = meanLoss(layout, params, data!.x, data!.y, data!.n);
        const a = accuracy(layout, params, data!.x, data!.y, data!.n);
        setCell(`${prefix}final-loss`, fmt(l), l);
        setCell(`${prefix}final-acc`, `${fmt(100 * a, 1)} %`, a);
        return l;
      };
      const backend = world.backend;
      status.textContent = `training on ${W} ranks (${backend})…`;
      const dp = await phase(world, cfg, "parallel", (done, r) => {
        show("dp-", r, 0, 2);
        drawBoundary(cfg, r.params);
        status.textContent = `training on ${W} ranks (${backend}): step ${done} of ${cfg.steps}${stopRequested ? " — stopping…" : ""}`;
      });
      if (dp.gradCheck !== null) {
        const ok = dp.gradCheck <= GRAD_CHECK_TOLERANCE;
        gradCheck.textContent = `WGSL gradient check (first step, every rank against the JavaScript reference): largest difference ${exp(dp.gradCheck)} of the largest entry ${ok ? "≤" : ">"} ${GRAD_CHECK_TOLERANCE}${ok ? "" : ": WRONG"}`;
        gradCheck.dataset.value = String(dp.gradCheck);
        gradCheck.classList.toggle("error", !ok);
      } else if (backend === "cpu") {
        gradCheck.textContent = "cpu backend: the ranks run the JavaScript reference itself (demo/train/mlp.ts).";
      }
      if (dp.stopped) {
        status.textContent = `stopped after ${dp.steps} of ${cfg.steps} steps (no single-rank comparison)`;
        return;
      }
      drawBoundary(cfg, dp.params);
      const dpLoss = final("dp-", dp.params!);
      const same = dp.hashes.every((h) => h === dp.hashes[0]);
      replicas.textContent = same
        ? `The ${W} ranks' parameters are bitwise identical after training (hash ${dp.hashes[0]}).`
        : `The ranks' parameters DIFFER after training: ${dp.hashes.join(", ")}`;
      replicas.classList.toggle("error", !same);

      status.textContent = "single rank: training rank 0 alone on the whole batch…";
      const single = await phase(world, cfg, "single", (done, r) => {
        show("single-", r, 1, 3);
        status.textContent = `single rank: step ${done} of ${cfg.steps}${stopRequested ? " — stopping…" : ""}`;
      });
      if (single.stopped) {
        status.textContent = `stopped the single-rank run after ${single.steps} of ${cfg.steps} steps (no comparison)`;
        return;
      }
      const singleLoss = final("single-", single.params!);
      let maxDiff = 0;
      let at = 0;
      for (let i = 0; i < cfg.steps; i++) {
        const d = Math.abs(dp.losses[i] - single.losses[i]);
        if (!(d <= maxDiff)) { maxDiff = d; at = i + 1; }
      }
      const agree = maxDiff <= LOSS_TOLERANCE && same;
      verdict.replaceChildren(
        agree ? "Agree: " : "DO NOT AGREE: ",
        `largest |loss(${W} ranks) − loss(1 rank)| over ${cfg.steps} steps `,
        el("span", { id: "train-max-diff", textContent: exp(maxDiff) }),
        ` (step ${at}) ${maxDiff <= LOSS_TOLERANCE ? "≤" : ">"} tolerance ${LOSS_TOLERANCE}; final batch losses ${fmt(dp.losses[cfg.steps - 1], 6)} and ${fmt(single.losses[cfg.steps - 1], 6)}, `,
        `losses on all points ${fmt(dpLoss, 6)} and ${fmt(singleLoss, 6)}.`);
      verdict.querySelector<HTMLElement>("#train-max-diff")!.dataset.value = String(maxDiff);
      verdict.className = `train-verdict ${agree ? "ok" : "error"}`;
      const gradOk = dp.gradCheck === null || dp.gradCheck <= GRAD_CHECK_TOLERANCE;
      status.textContent = (agree ? `done: ${W} ranks and 1 rank agree` : `done: ${W} ranks and 1 rank DO NOT agree`)
        + (gradOk ? "" : "; the WGSL gradient check FAILED");
      status.classList.toggle("error", !agree || !gradOk);
    }).catch((err: unknown) => {
      const e = err as Error;
      fail(`training failed: ${e.name}: ${e.message}`);
    }).finally(() => {
      running = false;
      refresh();
    });
  });
  drawBoundary(DEFAULT_CONFIG, null);
};
