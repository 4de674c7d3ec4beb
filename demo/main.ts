import { describeAdapter, launch, type BackendName, type World } from "../src/index.ts";
import { mountBenchPanel } from "./bench-panel.ts";
// Built by Vite into a worker of its own, on the dev server and in `npm run build:demo` alike.
import rankWorker from "./demo-ranks.worker.ts?worker&url";

const status = document.querySelector<HTMLParagraphElement>("#status")!;
const tbody = document.querySelector<HTMLTableSectionElement>("#ranks-table tbody")!;
const ranksInput = document.querySelector<HTMLInputElement>("#ranks")!;
const backendSelect = document.querySelector<HTMLSelectElement>("#backend")!;
let world: World | undefined;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

async function start(): Promise<void> {
  await world?.close();
  world = undefined;
  tbody.replaceChildren();
  const worldSize = Number(ranksInput.value);
  const backend = backendSelect.value as BackendName;
  if (!crossOriginIsolated) {
    setStatus("This page is not cross-origin isolated, so SharedArrayBuffer is unavailable. " +
      "Serve it with COOP same-origin and COEP require-corp (npm start does).", true);
    return;
  }
  setStatus(`launching ${worldSize} ranks on ${backend}…`);
  try {
    world = await launch({ worldSize, heapBytes: 1 << 20, backend, rankWorker });
  } catch (e) {
    setStatus(`${(e as Error).name}: ${(e as Error).message}`, true);
    return;
  }
  const cells = world.adapters.map((a, r) => {
    const row = tbody.insertRow();
    row.insertCell().textContent = String(r);
    row.insertCell().textContent = describeAdapter(a);
    row.insertCell().textContent = a.features.join(", ") || "—";
    const cell = row.insertCell();
    cell.textContent = "waiting";
    cell.className = "pending";
    return cell;
  });
  setStatus(`${worldSize} ranks up; meeting at a barrier…`);
  try {
    const results = await world.run<{ ms: number }>("barrier");
    results.forEach((r, i) => {
      cells[i].textContent = `ok (${r.ms.toFixed(2)} ms)`;
      cells[i].className = "ok";
    });
    setStatus(`barrier ok: ${worldSize} ranks on ${backend}`);
  } catch (e) {
    setStatus(`${(e as Error).name}: ${(e as Error).message}`, true);
  }
}

document.querySelector("#controls")!.addEventListener("submit", (e) => {
  e.preventDefault();
  void start();
});
void start();
mountBenchPanel(document.querySelector<HTMLElement>("#bench-panel")!);
