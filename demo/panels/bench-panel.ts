/**
 * The demo page's Benchmark section: a small sweep of the benchmark core (src/bench/) in this
 * page's workers, the nccl-tests table and the baselines printed below. Runs only when asked.
 */
import { benchMain } from "../../src/bench/main.ts";
import type { DemoSession, MountPanel } from "../session.ts";
// The benchmark's ranks built into a rank worker, so that the panel works in the built demo too.
import rankWorker from "../../src/bench/ranks.worker.ts?worker&url";

const FIELDS = [
  { id: "ranks", flag: "-g", label: "ranks", value: "4" },
  { id: "min", flag: "-b", label: "min bytes", value: "8" },
  { id: "max", flag: "-e", label: "max bytes", value: "1M" },
  { id: "factor", flag: "-f", label: "factor", value: "8" },
  { id: "iters", flag: "-n", label: "iters", value: "5" },
  { id: "warmup", flag: "-w", label: "warm-up", value: "1" },
] as const;

const SELECTS = [
  { id: "op", flag: "--op", label: "op", options: ["all_reduce", "reduce_scatter", "all_gather", "broadcast"] },
  { id: "algo", flag: "--algo", label: "algo", options: ["auto", "one_shot", "two_shot", "multimem", "host"] },
  { id: "backend", flag: "--backend", label: "backend", options: ["webgpu", "cpu"] },
] as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

export const mountBenchPanel: MountPanel = (root: HTMLElement, _session: DemoSession) => {
  const inputs = FIELDS.map((f) => ({ f, input: el("input", { id: `bench-${f.id}`, value: f.value, size: 5 }) }));
  const selects = SELECTS.map((s) => ({
    s, select: el("select", { id: `bench-${s.id}` }, ...s.options.map((o) => el("option", { value: o, textContent: o }))),
  }));
  const baselines = el("input", { id: "bench-baselines", type: "checkbox", checked: true });
  const run = el("button", { id: "bench-run", type: "submit", textContent: "run benchmark" });
  const status = el("p", { id: "bench-status", role: "status", textContent: "not run yet" });
  const out = el("pre", { id: "bench-output", className: "bench-output" });
  out.style.overflowX = "auto";
  out.style.fontSize = "12px";
  const form = el("form", { id: "bench-controls" },
    ...inputs.map(({ f, input }) => el("label", {}, `${f.label} `, input)),
    ...selects.map(({ s, select }) => el("label", {}, `${s.label} `, select)),
    el("label", {}, baselines, " baselines"),
    run);
  root.append(
    el("p", { className: "lead" }, "The benchmark core of ", el("code", { textContent: "npm run bench" }),
      " in this page: nccl-tests' table (out-of-place, in-place, #wrong), then the baselines measured in the same run."),
    form, status, out);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      const argv = ["--runtime", "chromium", "--baselines", baselines.checked ? "1" : "0"];
      for (const { f, input } of inputs) argv.push(f.flag, input.value.trim());
      for (const { s, select } of selects) argv.push(s.flag, select.value);
      run.disabled = true;
      out.textContent = "";
      status.textContent = `running: ${argv.join(" ")}`;
      status.classList.remove("error");
      let lastErr = "";
      try {
        const { code } = await benchMain(argv, {
          out: (line) => (out.textContent += `${line}\n`),
          err: (line) => {
            lastErr = line;
            status.textContent = line;
          },
        }, { version: "demo", rankWorker });
        status.textContent = code === 0 ? "done: every result checked, 0 wrong" : lastErr || `failed (exit code ${code})`;
        status.classList.toggle("error", code !== 0);
      } catch (err) {
        status.textContent = `${(err as Error).name}: ${(err as Error).message}`;
        status.classList.add("error");
      } finally {
        run.disabled = false;
      }
    })();
  });
};
