/** The Heap panel (not built yet). */
import type { DemoSession, MountPanel } from "../session.ts";

export const mountHeapPanel: MountPanel = (root: HTMLElement, _session: DemoSession) => {
  root.textContent = "not built yet";
};
