/**
 * The Launch panel: world size, backend and heap size; each rank's adapter and features; a
 * barrier every rank meets once the world is up (and a check that each saw every peer's heap).
 * It also owns the page's banner (#banner): what this browser lacks (cross-origin isolation,
 * WebGPU), why it matters and what fixes it, with the controls that cannot work disabled.
 */
import { describeAdapter, MAX_WORLD_SIZE, type BackendName, type World } from "../../src/index.ts";
import { el } from "../dom.ts";
import type { LaunchBarrierResult } from "../ranks/launch-ranks.ts";
import { DEFAULT_OPTIONS, type DemoSession, type MountPanel, type SessionOptions } from "../session.ts";

const MiB = 1 << 20;
/** The heap sizes offered, in MiB; the default is DEFAULT_OPTIONS.heapBytes. */
const HEAP_MIB = [1, 4, 16, 32, 64, 128];

/** What this browser offers the demo, found once at start. */
export interface Environment {
  /** Why SharedArrayBuffer is unavailable, or undefined when the page is cross-origin isolated. */
  isolation: string | undefined;
  /** Why the webgpu backend cannot work, or undefined when there is a WebGPU adapter. */
  webgpu: string | undefined;
}

/** Checks cross-origin isolation and WebGPU in this page. */
export async function probeEnvironment(): Promise<Environment> {
  const secure = globalThis.isSecureContext;
  let isolation: string | undefined;
  if (globalThis.crossOriginIsolated !== true) {
    isolation = typeof SharedArrayBuffer === "undefined"
      ? "This page is not cross-origin isolated, so SharedArrayBuffer (the ranks' shared heap) does not exist here and no rank can start."
      : "This page is not cross-origin isolated, so SharedArrayBuffer cannot be shared with the rank workers and no rank can start.";
  }
  let webgpu: string | undefined;
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    webgpu = secure
      ? "This browser has no WebGPU (navigator.gpu is missing)."
      : "WebGPU needs a secure context (https, or http on localhost), and this page is not one (navigator.gpu is missing).";
  } else {
    try {
      const adapter = await gpu.requestAdapter();
      if (adapter === null) webgpu = "This browser has WebGPU, but navigator.gpu.requestAdapter() found no adapter (no usable GPU, or WebGPU is turned off).";
    } catch (e) {
      webgpu = `navigator.gpu.requestAdapter() failed: ${(e as Error).message}`;
    }
  }
  return { isolation, webgpu };
}

/** Fills #banner with what is missing and how to fix it; hides it when nothing is. */
function showBanner(banner: HTMLElement, env: Environment): void {
  const items: HTMLElement[] = [];
  if (env.isolation !== undefined) {
    const coi = document.querySelector('script[src$="coi-serviceworker.js"]') !== null;
    const fix = el("p", {}, "Fix: serve the page with the headers ",
      el("code", {}, "Cross-Origin-Opener-Policy: same-origin"), " and ",
      el("code", {}, "Cross-Origin-Embedder-Policy: require-corp"),
      " (", el("code", {}, "npm start"), " and ", el("code", {}, "npm run preview"), " do). ",
      coi
        ? "This build also carries a service worker (coi-serviceworker) that adds those headers on hosts that cannot send them and reloads the page; it did not take effect here: " +
          (globalThis.isSecureContext ? "service workers are blocked in this window (private window or a browser setting), or it is still installing: reload the page." : "it needs a secure context (https, or http on localhost).")
        : "");
    items.push(el("div", { className: "banner-item", id: "banner-isolation" },
      el("strong", {}, "Not cross-origin isolated. "), env.isolation, fix,
      el("p", {}, "Every control on this page is disabled until then.")));
  }
  if (env.webgpu !== undefined) {
    items.push(el("div", { className: "banner-item", id: "banner-webgpu" },
      el("strong", {}, "No WebGPU. "), env.webgpu,
      el("p", {}, "The webgpu backend is disabled; the cpu backend (each rank computes in its worker on the CPU) still works and is selected."),
      el("p", {}, "Fix: open the page in a browser with WebGPU on a machine with a GPU (Chrome or Edge 113+, Safari 26+, Firefox 141+ on Windows), " +
        "or start Chromium with ", el("code", {}, "--enable-unsafe-webgpu"),
        " (on Linux also ", el("code", {}, "--enable-features=Vulkan"), "; without a GPU it falls back to SwiftShader).")));
  }
  banner.replaceChildren(...items);
  banner.hidden = items.length === 0;
}

/**
 * Without cross-origin isolation nothing on the page can work (every panel needs the ranks'
 * SharedArrayBuffer), and the page cannot become isolated without a reload: every control of
 * every panel is disabled, including ones a panel adds or re-enables later.
 */
function disableEveryControl(): void {
  document.body.classList.add("not-isolated");
  const selector = ".panel button, .panel input, .panel select, .panel textarea";
  const why = "disabled: this page is not cross-origin isolated (see the banner at the top)";
  const disable = () => {
    for (const c of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(selector)) {
      if (!c.disabled) c.disabled = true;
      if (c.title !== why) c.title = why;
    }
  };
  disable();
  new MutationObserver(disable).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"] });
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function formatBytes(bytes: number): string {
  return bytes >= 1 << 30 ? `${+(bytes / (1 << 30)).toFixed(2)} GiB` : `${+(bytes / MiB).toFixed(2)} MiB`;
}

/** The world size the field holds, or an error message that names the field. */
export function parseWorldSize(text: string): number | string {
  const t = text.trim();
  if (t === "") return `world size must be 1–${MAX_WORLD_SIZE}: the field is empty`;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORLD_SIZE) {
    return `world size must be 1–${MAX_WORLD_SIZE} (a whole number of ranks), not “${t}”`;
  }
  return n;
}

/** A launch failure in the form's words. */
function explainLaunchError(e: unknown, options: SessionOptions): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const total = formatBytes(options.worldSize * options.heapBytes);
  if (err instanceof RangeError || /allocat|out of memory/i.test(err.message)) {
    return `launch failed: the shared heap (world size ${options.worldSize} × heap size ${formatBytes(options.heapBytes)} = ${total}) ` +
      `is more memory than this tab could get: choose a smaller heap size or world size. (${err.name}: ${err.message})`;
  }
  return `launch failed: ${err.name}: ${err.message}`;
}

export const mountLaunchPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const banner = document.querySelector<HTMLElement>("#banner")!;

  const ranksInput = el("input", {
    id: "launch-ranks", type: "number", min: "1", max: String(MAX_WORLD_SIZE), step: "1",
    value: String(DEFAULT_OPTIONS.worldSize), required: true,
  });
  ranksInput.setAttribute("aria-describedby", "launch-ranks-error");
  const ranksError = el("p", { id: "launch-ranks-error", className: "field-error", hidden: true });
  const webgpuOption = el("option", { value: "webgpu" }, "webgpu");
  const backendSelect = el("select", { id: "launch-backend" }, webgpuOption, el("option", { value: "cpu" }, "cpu"));
  backendSelect.value = DEFAULT_OPTIONS.backend;
  const heapSelect = el("select", { id: "launch-heap" },
    ...HEAP_MIB.map((m) => el("option", { value: String(m * MiB) }, `${m} MiB`)));
  heapSelect.value = String(DEFAULT_OPTIONS.heapBytes);
  const button = el("button", { id: "launch-run", type: "submit" }, "launch");
  const total = el("p", { id: "launch-total", className: "hint" });
  const form = el("form", { id: "launch-form", noValidate: true, className: "controls" },
    el("div", { className: "field" }, el("label", { htmlFor: "launch-ranks" }, "world size"), ranksInput),
    el("div", { className: "field" }, el("label", { htmlFor: "launch-backend" }, "backend"), backendSelect),
    el("div", { className: "field" }, el("label", { htmlFor: "launch-heap" }, "heap size per rank"), heapSelect),
    el("div", { className: "field" }, button));
  const status = el("p", { id: "launch-status", className: "status", role: "status" }, "checking this browser…");
  const tbody = el("tbody");
  const table = el("table", { id: "launch-table", className: "data" },
    el("thead", {}, el("tr", {}, ...["rank", "adapter", "features", "barrier"].map((h) => el("th", { scope: "col" }, h)))),
    tbody);
  root.append(
    el("p", { className: "intro" }, "Start the ranks every panel below uses: one Web Worker per rank, each with its own device " +
      "(webgpu) or none (cpu), and a symmetric heap slab of the chosen size per rank (a SharedArrayBuffer every rank maps)."),
    form, ranksError, total, status, el("div", { className: "table-scroll" }, table));

  let env: Environment | undefined;
  let launching = false;
  /** What a launch in progress is doing, for the status line. */
  let progress = "";

  function setStatus(text: string, kind: "" | "ok" | "error" | "pending" = ""): void {
    status.textContent = text;
    status.className = `status ${kind}`.trim();
  }

  function validate(): number | undefined {
    const parsed = parseWorldSize(ranksInput.value);
    const bad = typeof parsed === "string";
    ranksError.textContent = bad ? parsed : "";
    ranksError.hidden = !bad;
    ranksInput.setAttribute("aria-invalid", String(bad));
    ranksInput.classList.toggle("invalid", bad);
    if (!bad) total.textContent = `${plural(parsed, "rank")} × ${formatBytes(Number(heapSelect.value))} = ${formatBytes(parsed * Number(heapSelect.value))} of symmetric heap`;
    return bad ? undefined : parsed;
  }

  /** Enables what can work now: nothing without isolation; not webgpu without WebGPU; not while launching. */
  function refreshControls(): void {
    const usable = env !== undefined && env.isolation === undefined;
    for (const c of [ranksInput, backendSelect, heapSelect]) c.disabled = !usable;
    webgpuOption.disabled = env === undefined || env.webgpu !== undefined;
    const holder = session.holder;
    const other = holder !== undefined && holder !== "launch";
    // Not disabled while another panel holds the ranks: a panel that runs continuously (the
    // particles) takes the lock for every frame, so the button would flicker; a relaunch queues
    // behind the holder's current step instead, and the status says so.
    button.disabled = !usable || launching;
    button.textContent = launching ? "launching…" : session.world ? "relaunch" : "launch";
    button.title = other ? `the ${holder} panel is using the ranks: a relaunch waits until it lets go` : "";
    if (launching) setStatus(other ? `waiting for the ${holder} panel to finish with the ranks… (then: ${progress})` : progress, "pending");
  }

  function fillTable(world: World): HTMLTableCellElement[] {
    return world.adapters.map((a, r) => {
      const row = tbody.insertRow();
      row.insertCell().textContent = String(r);
      row.insertCell().textContent = describeAdapter(a);
      const features = row.insertCell();
      features.className = "features";
      features.textContent = a.features.join(", ") || "—";
      const cell = row.insertCell();
      cell.textContent = "waiting";
      cell.className = "pending";
      return cell;
    });
  }

  async function start(): Promise<void> {
    const worldSize = validate();
    if (worldSize === undefined) {
      setStatus("not launched: fix the world size field first", "error");
      ranksInput.focus();
      return;
    }
    const options: SessionOptions = { worldSize, backend: backendSelect.value as BackendName, heapBytes: Number(heapSelect.value) };
    if (env?.isolation !== undefined) return setStatus("cannot launch: this page is not cross-origin isolated (see the banner above)", "error");
    if (options.backend === "webgpu" && env?.webgpu !== undefined) return setStatus("cannot launch on webgpu: this browser has no WebGPU adapter (see the banner above); choose cpu", "error");
    launching = true;
    progress = `launching ${plural(worldSize, "rank")} on ${options.backend}…`;
    tbody.replaceChildren();
    refreshControls();
    try {
      const world = await session.relaunch(options);
      const cells = fillTable(world);
      progress = `${plural(worldSize, "rank")} up; meeting at a barrier…`;
      setStatus(progress, "pending");
      const results = await session.exclusive("launch", () => world.run<LaunchBarrierResult>("launchBarrier"));
      const expected = Array.from({ length: worldSize }, (_, p) => p + 1);
      let bad = 0;
      results.forEach((r, i) => {
        const okSeen = r.rank === i && r.worldSize === worldSize && r.seen.length === worldSize && r.seen.every((v, p) => v === expected[p]);
        if (!okSeen) bad++;
        cells[i].textContent = okSeen
          ? `ok (${r.ms.toFixed(2)} ms, saw all ${worldSize})`
          : `wrong: rank ${r.rank} of ${r.worldSize} read [${r.seen.join(", ")}], expected [${expected.join(", ")}]`;
        cells[i].className = okSeen ? "ok" : "error";
      });
      if (bad > 0) setStatus(`barrier done, but ${plural(bad, "rank")} did not see every peer's heap`, "error");
      else setStatus(`barrier ok: ${plural(worldSize, "rank")} on ${world.backend}`, "ok");
    } catch (e) {
      setStatus(session.world ? `barrier failed: ${(e as Error).name}: ${(e as Error).message}` : explainLaunchError(e, options), "error");
    } finally {
      launching = false;
      refreshControls();
    }
  }

  ranksInput.addEventListener("input", validate);
  heapSelect.addEventListener("change", validate);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void start();
  });
  session.addEventListener("busy", refreshControls);
  session.addEventListener("world", refreshControls);
  validate();
  refreshControls();

  void probeEnvironment().then((found) => {
    env = found;
    showBanner(banner, found);
    if (found.webgpu !== undefined) backendSelect.value = "cpu";
    refreshControls();
    if (found.isolation !== undefined) {
      disableEveryControl();
      setStatus("not launched: this page is not cross-origin isolated (see the banner above)", "error");
      return;
    }
    void start();
  });
};
