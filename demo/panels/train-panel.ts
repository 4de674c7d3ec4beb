/** The Train panel (not built yet). */
import type { DemoSession, MountPanel } from "../session.ts";

export const mountTrainPanel: MountPanel = (root: HTMLElement, _session: DemoSession) => {
  root.textContent = "not built yet";
};
