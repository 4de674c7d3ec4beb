/**
 * The Distributed particles panel: an N-body simulation in which each rank owns a slice of the
 * bodies, computes the forces on its slice against every position (WGSL on its own GPUDevice on
 * webgpu, plain JS on cpu), updates its slice, and all-gathers the positions every step with the
 * library (demo/ranks/particle-ranks.ts). The page draws the gathered positions with WebGPU (its
 * own device) and a wgpu-matrix orbit camera, or with a 2-D canvas where it has no WebGPU.
 *
 * One frame is one `world.run("particleRun", stepsPerFrame)`: every rank takes that many steps and
 * rank 0 returns the gathered positions (N × 16 bytes) with the timings and each rank its part of
 * the energy and momentum. Each frame takes the session's lock on its own, so other panels can run
 * between two frames, the page gets a picture after every chunk, and "steps per frame" trades
 * frames per second against the per-call overhead. Drawing is separate from stepping: the camera
 * redraws the last positions at once, while the ranks work on the next chunk.
 */
import "./particles.css";
import type { World } from "../../src/index.ts";
import { OrbitCamera } from "../particles/camera.ts";
import { bodiesError, combineDiagnostics, DEFAULT_DT, DEFAULT_EPS, type NBodyConfig } from "../particles/nbody.ts";
import { createRenderer, type ParticleRenderer, rankColor } from "../particles/renderer.ts";
import type { ParticleReport } from "../ranks/particle-ranks.ts";
import { el } from "../dom.ts";
import type { DemoSession, MountPanel } from "../session.ts";

const LOCK = "particles";
const SEED = 1;
const MAX_STEPS_PER_FRAME = 100;
/** The physics check: the drifts a leapfrog run of this size stays well inside. */
const ENERGY_TOLERANCE = 1e-2;
const MOMENTUM_TOLERANCE = 1e-4;

interface Totals {
  energy: number;
  momentum: [number, number, number];
  momentumScale: number;
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtExp = (x: number) => (x === 0 ? "0" : x.toExponential(2));
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function field(label: string, input: HTMLInputElement, hint: string): HTMLElement {
  return el("div", { className: "field" }, el("label", { htmlFor: input.id }, label), input, el("span", { className: "hint" }, hint));
}

function stat(id: string, label: string, unit: string, title: string): { box: HTMLElement; value: HTMLElement; unit: HTMLElement } {
  const value = el("span", { id, className: "particles-value" }, "–");
  const unitEl = el("span", { className: "particles-unit" }, unit);
  const box = el("div", { className: "particles-stat", title }, el("span", { className: "particles-label" }, label), value, unitEl);
  return { box, value, unit: unitEl };
}

export const mountParticlesPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const bodies = el("input", { id: "particles-bodies", type: "number", min: "16", max: "8192", step: "1", value: "1024" });
  const spf = el("input", { id: "particles-steps", type: "number", min: "1", max: String(MAX_STEPS_PER_FRAME), value: "4" });
  const start = el("button", { id: "particles-start", type: "submit" }, "start");
  const stop = el("button", { id: "particles-stop", type: "button", disabled: true }, "stop");
  const reset = el("button", { id: "particles-reset", type: "button", className: "secondary" }, "reset");
  const form = el("form", { className: "controls particles-controls", noValidate: true },
    field("bodies", bodies, "16–8192, a multiple of the ranks"),
    field("steps per frame", spf, `1–${MAX_STEPS_PER_FRAME} per world.run`),
    start, stop, reset);
  const fieldError = el("p", { id: "particles-field-error", className: "field-error", role: "alert", hidden: true });
  const status = el("p", { id: "particles-status", className: "status", role: "status" }, "");
  const availability = el("p", { id: "particles-availability", className: "hint pending" });

  const canvas = el("canvas", { id: "particles-canvas", className: "particles-canvas", tabIndex: 0,
    ariaLabel: "the bodies, coloured by the rank that owns them: drag to orbit, wheel to zoom" });
  const rendererNote = el("p", { id: "particles-renderer", className: "hint" }, "preparing the canvas…");
  const legend = el("p", { id: "particles-legend", className: "particles-legend" });

  const fps = stat("particles-fps", "frames/s", "", "frames drawn per second with new positions (over the last second)");
  const compute = stat("particles-compute", "compute", "ms/step", "the slowest rank's kernel time per step (kick-drift, forces and kick), measured in the ranks with performance.now");
  const comm = stat("particles-comm", "communication", "ms/step", "the slowest rank's all-gather time per step, measured in the ranks with performance.now (it includes waiting at the all-gather's barriers for the slowest peer)");
  const steps = stat("particles-steps-done", "steps", "", "steps taken since the start (reset sets it to 0)");
  const energy = stat("particles-energy-drift", "energy drift", "", "(E − E₀)/|E₀|: now, and the largest |drift| of the run");
  const momentum = stat("particles-momentum-drift", "momentum drift", "", "|P − P₀| / Σ m|v|: now, and the largest of the run");
  const sanity = el("p", { id: "particles-sanity", className: "particles-sanity" }, "physics check: not run yet");
  const stats = el("div", { className: "particles-stats" }, fps.box, compute.box, comm.box, steps.box, energy.box, momentum.box);

  const rankBody = el("tbody");
  const rankTable = el("table", { id: "particles-ranks", className: "data" },
    el("thead", {}, el("tr", {}, ...["rank", "bodies", "compute ms/step", "all-gather ms/step"].map((h) => el("th", {}, h)))),
    rankBody);

  root.append(
    el("p", { className: "intro" },
      "Each rank owns a slice of the bodies: it computes the softened gravity on its slice from every position ",
      "(WGSL on its own GPUDevice on the webgpu backend, plain JS on cpu), updates its slice with a leapfrog ",
      "(kick-drift-kick) step and all-gathers the positions with ", el("code", {}, "symm_mem::multimem_all_gather_out"),
      " every step. Rank 0 returns the gathered positions after each frame's steps; the page draws them."),
    form, availability, fieldError,
    el("div", { className: "particles-view" }, canvas, el("div", { className: "particles-side" }, stats, sanity, legend,
      el("div", { className: "table-scroll" }, rankTable))),
    rendererNote, status,
  );

  // ── drawing ──
  const camera = new OrbitCamera();
  let renderer: ParticleRenderer | undefined;
  let positions: Float32Array | undefined;
  let perRank = 1;
  let drawQueued = false;
  const frameTimes: number[] = [];
  const draw = () => {
    drawQueued = false;
    if (renderer && positions) renderer.draw({ positions, perRank, viewProjection: (a) => camera.viewProjection(a) });
  };
  const requestDraw = () => {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(draw);
  };
  camera.attach(canvas, requestDraw);
  const rendererReady = createRenderer(canvas).then((r) => {
    renderer = r;
    rendererNote.textContent = r.description + " · drag to orbit, wheel to zoom · camera: wgpu-matrix";
    rendererNote.classList.toggle("pending", r.kind === "2d");
    canvas.dataset.renderer = r.kind;
    if (r.mode !== undefined) canvas.dataset.present = r.mode;
    requestDraw();
  }, (e: unknown) => {
    rendererNote.textContent = `the canvas cannot draw: ${e instanceof Error ? e.message : String(e)}`;
    rendererNote.className = "error";
  });
  void rendererReady;

  // ── state ──
  let running = false;
  let stopRequested = false;
  let simWorld: World | undefined;
  let simN = 0;
  let start0: Totals | undefined;
  let maxEnergy = 0;
  let maxMomentum = 0;

  const setStatus = (text: string, kind: "" | "ok" | "error" | "pending" = "") => {
    status.textContent = text;
    status.className = `status ${kind}`.trim();
  };
  const showFieldError = (input: HTMLInputElement | undefined, text: string | undefined) => {
    for (const i of [bodies, spf]) i.setAttribute("aria-invalid", String(i === input && text !== undefined));
    fieldError.hidden = text === undefined;
    fieldError.textContent = text ?? "";
  };

  const refresh = () => {
    const world = session.world;
    const other = session.holder !== undefined && session.holder !== LOCK;
    start.disabled = running || world === undefined || other;
    reset.disabled = running || world === undefined || other;
    stop.disabled = !running;
    bodies.disabled = running;
    let note = "";
    if (world === undefined) note = session.holder === "launch" ? "the ranks are launching…" : "launch the ranks first (Launch panel)";
    else if (!running && other) note = `waiting: the ${session.holder} holds the ranks`;
    availability.textContent = note;
    availability.hidden = note === "";
  };

  const readSteps = (): number | undefined => {
    const k = Number(spf.value);
    if (spf.value.trim() === "" || !Number.isInteger(k) || k < 1 || k > MAX_STEPS_PER_FRAME) {
      showFieldError(spf, `steps per frame must be a whole number from 1 to ${MAX_STEPS_PER_FRAME} (got "${spf.value}")`);
      return undefined;
    }
    return k;
  };
  const readBodies = (worldSize: number): number | undefined => {
    const n = Number(bodies.value);
    const err = bodies.value.trim() === "" ? `bodies must be a number (got "")` : bodiesError(n, worldSize);
    if (err !== undefined) {
      showFieldError(bodies, err);
      return undefined;
    }
    return n;
  };

  const totals = (reports: readonly ParticleReport[]): Totals => combineDiagnostics(reports.map((r) => r.diag));

  const showPhysics = (reports: readonly ParticleReport[]) => {
    if (start0 === undefined) return;
    const t = totals(reports);
    const dE = (t.energy - start0.energy) / Math.abs(start0.energy);
    const dP = Math.hypot(...t.momentum.map((p, k) => p - start0!.momentum[k])) / Math.max(t.momentumScale, 1e-30);
    maxEnergy = Math.max(maxEnergy, Math.abs(dE));
    maxMomentum = Math.max(maxMomentum, dP);
    energy.value.textContent = `${dE >= 0 ? "+" : ""}${fmtExp(dE)}`;
    energy.unit.textContent = `max |drift| ${fmtExp(maxEnergy)}`;
    energy.value.dataset.value = String(dE);
    momentum.value.textContent = fmtExp(dP);
    momentum.unit.textContent = `max ${fmtExp(maxMomentum)}`;
    momentum.value.dataset.value = String(dP);
    const ok = Number.isFinite(dE) && maxEnergy < ENERGY_TOLERANCE && maxMomentum < MOMENTUM_TOLERANCE;
    sanity.textContent = ok
      ? `physics check ok: over ${reports[0].step} steps the energy stayed within ${ENERGY_TOLERANCE * 100}% and the momentum within ${fmtExp(MOMENTUM_TOLERANCE)} of the start`
      : `physics check FAILED: energy drift ${fmtExp(maxEnergy)} (limit ${fmtExp(ENERGY_TOLERANCE)}), momentum drift ${fmtExp(maxMomentum)} (limit ${fmtExp(MOMENTUM_TOLERANCE)})`;
    sanity.className = `particles-sanity ${ok ? "ok" : "error"}`;
    sanity.dataset.ok = String(ok);
  };

  const showTimings = (reports: readonly ParticleReport[]) => {
    const per = (ms: number, r: ParticleReport) => (r.steps > 0 ? ms / r.steps : 0);
    const c = Math.max(...reports.map((r) => per(r.computeMs, r)));
    const m = Math.max(...reports.map((r) => per(r.commMs, r)));
    for (const [box, v] of [[compute, c], [comm, m]] as const) {
      if (reports[0].steps === 0) {
        box.value.textContent = "–"; // nothing stepped yet (after start or reset)
        delete box.value.dataset.value;
      } else {
        box.value.textContent = fmtMs(v);
        box.value.dataset.value = String(v);
      }
    }
    steps.value.textContent = String(reports[0].step);
    steps.value.dataset.value = String(reports[0].step);
    rankBody.replaceChildren(...reports.map((r) => {
      const [cr, cg, cb] = rankColor(r.rank).map((x) => Math.round(255 * x));
      return el("tr", {},
        el("td", {}, el("span", { className: "particles-swatch", style: `background: rgb(${cr},${cg},${cb})` }), String(r.rank)),
        el("td", {}, `${r.rank * perRank}–${(r.rank + 1) * perRank - 1}`),
        el("td", {}, r.steps > 0 ? fmtMs(per(r.computeMs, r)) : "–"), el("td", {}, r.steps > 0 ? fmtMs(per(r.commMs, r)) : "–"));
    }));
  };

  const showPositions = (reports: readonly ParticleReport[]) => {
    const p = reports[0].positions;
    if (p === undefined) return;
    positions = p;
    requestDraw();
    const now = performance.now();
    frameTimes.push(now);
    while (frameTimes.length > 0 && frameTimes[0] < now - 1000) frameTimes.shift();
    if (frameTimes.length >= 2) {
      const f = ((frameTimes.length - 1) * 1000) / (frameTimes[frameTimes.length - 1] - frameTimes[0]);
      fps.value.textContent = f.toFixed(1);
      fps.value.dataset.value = String(f);
    }
  };

  /** Builds the bodies on the ranks (step 0) and draws them. */
  const init = async (world: World, n: number): Promise<void> => {
    const cfg: NBodyConfig = { n, seed: SEED, dt: DEFAULT_DT, eps: DEFAULT_EPS };
    setStatus(`building ${n} bodies on ${world.worldSize} ranks…`, "pending");
    const reports = await session.exclusive(LOCK, () => world.run<ParticleReport>("particleInit", cfg));
    simWorld = world;
    simN = n;
    perRank = n / world.worldSize;
    start0 = totals(reports);
    maxEnergy = 0;
    maxMomentum = 0;
    frameTimes.length = 0;
    fps.value.textContent = "–";
    delete fps.value.dataset.value;
    showTimings(reports);
    showPhysics(reports);
    showPositions(reports);
    const backend = reports[0].backend;
    legend.textContent = `${n} bodies, ${perRank} per rank, coloured by owner; forces ${backend === "webgpu" ? "in WGSL on each rank's GPUDevice" : `in plain JS (${backend} backend)`}`;
  };

  const run = async () => {
    const world = session.world;
    if (world === undefined || running) return;
    const n = readBodies(world.worldSize);
    if (n === undefined || readSteps() === undefined) return;
    showFieldError(undefined, undefined);
    running = true;
    stopRequested = false;
    refresh();
    try {
      if (simWorld !== world || simN !== n) await init(world, n);
      setStatus(`running: ${n} bodies on ${world.worldSize} ranks`, "pending");
      while (!stopRequested && session.world === world) {
        const k = readSteps();
        if (k === undefined) break;
        showFieldError(undefined, undefined);
        const reports = await session.exclusive(LOCK, async () =>
          stopRequested || session.world !== world ? undefined : world.run<ParticleReport>("particleRun", k, true));
        if (reports === undefined) break;
        showTimings(reports);
        showPhysics(reports);
        showPositions(reports);
        await nextFrame();
      }
      if (session.world !== world) setStatus("stopped: the ranks were relaunched (press start for a new simulation)");
      else setStatus(`stopped at step ${steps.value.textContent}`, "ok");
    } catch (e) {
      if (session.world !== world) setStatus("stopped: the ranks were relaunched (press start for a new simulation)");
      else setStatus(`the simulation failed: ${e instanceof Error ? e.message : String(e)}\nPress start to build the bodies again; if it fails again, relaunch the ranks (Launch panel).`, "error");
      if (session.world !== world || simWorld === world) simWorld = undefined;
    } finally {
      running = false;
      refresh();
    }
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void run();
  });
  stop.addEventListener("click", () => {
    stopRequested = true;
    setStatus("stopping after this frame…", "pending");
    stop.disabled = true;
  });
  reset.addEventListener("click", () => {
    const world = session.world;
    if (world === undefined || running) return;
    const n = readBodies(world.worldSize);
    if (n === undefined) return;
    showFieldError(undefined, undefined);
    init(world, n).then(() => setStatus(`reset: ${n} bodies at step 0`, "ok"),
      (e: unknown) => setStatus(`reset failed: ${e instanceof Error ? e.message : String(e)}`, "error"));
  });
  for (const input of [bodies, spf]) input.addEventListener("input", () => {
    if (input.getAttribute("aria-invalid") === "true") showFieldError(undefined, undefined);
  });

  session.onWorld((world) => {
    if (world !== simWorld && simWorld !== undefined) {
      simWorld = undefined; // the old ranks (and their bodies) are gone
      if (running) stopRequested = true;
      else setStatus("the ranks were relaunched: start builds new bodies on them");
    }
    refresh();
  });
  session.addEventListener("busy", refresh);
};
