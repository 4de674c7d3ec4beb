/** The Particles panel (not built yet). */
import type { DemoSession, MountPanel } from "../session.ts";

export const mountParticlesPanel: MountPanel = (root: HTMLElement, _session: DemoSession) => {
  root.textContent = "not built yet";
};
