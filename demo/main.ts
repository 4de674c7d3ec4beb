/**
 * The demo page: one shared session (demo/session.ts) and one module per panel (demo/panels/),
 * each mounted into its section of index.html.
 */
import { mountBenchPanel } from "./panels/bench-panel.ts";
import { mountHeapPanel } from "./panels/heap-panel.ts";
import { mountLaunchPanel } from "./panels/launch-panel.ts";
import { mountOpPanel } from "./panels/op-panel.ts";
import { mountParticlesPanel } from "./panels/particles-panel.ts";
import { mountTrainPanel } from "./panels/train-panel.ts";
import { DemoSession } from "./session.ts";

const session = new DemoSession();
const section = (id: string) => document.querySelector<HTMLElement>(`#${id}`)!;
mountLaunchPanel(section("launch-panel"), session);
mountOpPanel(section("op-panel"), session);
mountHeapPanel(section("heap-panel"), session);
mountBenchPanel(section("bench-panel"), session);
mountTrainPanel(section("train-panel"), session);
mountParticlesPanel(section("particles-panel"), session);
