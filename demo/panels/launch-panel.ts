/**
 * The Launch panel: world size, backend and heap size; each rank's adapter and features; a
 * barrier every rank meets at once the world is up.
 */
import { describeAdapter, type BackendName } from "../../src/index.ts";
import type { DemoSession, MountPanel } from "../session.ts";

export const mountLaunchPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const status = root.querySelector<HTMLParagraphElement>("#status")!;
  const tbody = root.querySelector<HTMLTableSectionElement>("#ranks-table tbody")!;
  const ranksInput = root.querySelector<HTMLInputElement>("#ranks")!;
  const backendSelect = root.querySelector<HTMLSelectElement>("#backend")!;

  function setStatus(text: string, error = false): void {
    status.textContent = text;
    status.classList.toggle("error", error);
  }

  async function start(): Promise<void> {
    tbody.replaceChildren();
    const worldSize = Number(ranksInput.value);
    const backend = backendSelect.value as BackendName;
    if (!crossOriginIsolated) {
      setStatus("This page is not cross-origin isolated, so SharedArrayBuffer is unavailable. " +
        "Serve it with COOP same-origin and COEP require-corp (npm start does).", true);
      return;
    }
    setStatus(`launching ${worldSize} ranks on ${backend}…`);
    let world;
    try {
      world = await session.relaunch({ ...session.options, worldSize, backend });
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
      const results = await session.exclusive("launch", () => world.run<{ ms: number }>("launchBarrier"));
      results.forEach((r, i) => {
        cells[i].textContent = `ok (${r.ms.toFixed(2)} ms)`;
        cells[i].className = "ok";
      });
      setStatus(`barrier ok: ${worldSize} ranks on ${backend}`);
    } catch (e) {
      setStatus(`${(e as Error).name}: ${(e as Error).message}`, true);
    }
  }

  root.querySelector("#controls")!.addEventListener("submit", (e) => {
    e.preventDefault();
    void start();
  });
  void start();
};
