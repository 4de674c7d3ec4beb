/** The Op panel (not built yet). */
import type { DemoSession, MountPanel } from "../session.ts";

export const mountOpPanel: MountPanel = (root: HTMLElement, _session: DemoSession) => {
  root.textContent = "not built yet";
};
