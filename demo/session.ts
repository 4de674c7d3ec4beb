/**
 * The demo page's session: the one launched World that the panels share, the options it was
 * launched with, and a lock so that panel actions (each a `world.run`) happen one at a time and
 * say which panel holds the world. Panels listen for "world" events to enable or disable controls.
 */
import { launch, type BackendName, type World } from "../src/index.ts";
// Built by Vite into a worker of its own, on the dev server and in `npm run build:demo` alike; it
// serves every panel's rank functions (demo/demo-ranks.ts).
import rankWorker from "./demo-ranks.worker.ts?worker&url";

export interface SessionOptions {
  worldSize: number;
  backend: BackendName;
  heapBytes: number;
}

export const DEFAULT_OPTIONS: SessionOptions = { worldSize: 4, backend: "webgpu", heapBytes: 32 << 20 };

export class DemoSession extends EventTarget {
  world: World | undefined;
  options: SessionOptions = { ...DEFAULT_OPTIONS };
  /** What holds the world now ("op runner", "training", …), or undefined when it is free. */
  holder: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** Closes the current world (if any) and launches a new one; every panel hears "world". */
  async relaunch(options: SessionOptions): Promise<World> {
    return this.exclusive("launch", async () => {
      const old = this.world;
      this.world = undefined;
      this.dispatchEvent(new Event("world"));
      await old?.close();
      this.options = { ...options };
      this.world = await launch({ ...options, rankWorker });
      this.dispatchEvent(new Event("world"));
      return this.world;
    });
  }

  /** The current world, or an Error that says to launch first. */
  requireWorld(): World {
    if (this.world === undefined) throw new Error("no ranks are running: launch them first (Launch panel)");
    return this.world;
  }

  /** Runs `fn` when nothing else holds the world; `label` says who holds it meanwhile ("busy" events). */
  exclusive<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.holder = label;
      this.dispatchEvent(new Event("busy"));
      try {
        return await fn();
      } finally {
        this.holder = undefined;
        this.dispatchEvent(new Event("busy"));
      }
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Calls `cb` now and whenever the world changes. */
  onWorld(cb: (world: World | undefined) => void): void {
    cb(this.world);
    this.addEventListener("world", () => cb(this.world));
  }
}

/** What every panel module exports: it fills `root` and uses `session` for the ranks. */
export type MountPanel = (root: HTMLElement, session: DemoSession) => void;
