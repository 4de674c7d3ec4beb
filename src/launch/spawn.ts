import type { Endpoint } from "comlink";
import type { RuntimeName } from "../core/runtime.ts";
import { nodeThreads } from "./node-threads.ts";
import { READY_MESSAGE } from "./protocol.ts";

/** One rank's worker, whatever the runtime: a comlink endpoint and its life cycle. */
export interface RankWorker {
  /** The worker's script: the application's rank worker, or the library's own. */
  readonly script: string;
  readonly endpoint: Endpoint;
  /** Resolves when the worker has exposed its service. */
  readonly ready: Promise<void>;
  /** Rejects when the worker dies (uncaught error, failed load, unexpected exit). */
  readonly died: Promise<never>;
  terminate(): Promise<void>;
}

function isReady(data: unknown): boolean {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === READY_MESSAGE;
}

function deferred(): { promise: Promise<never>; reject: (e: Error) => void } {
  let reject!: (e: Error) => void;
  const promise = new Promise<never>((_, rej) => (reject = rej));
  promise.catch(() => {}); // observed by whoever races it; never an unhandled rejection
  return { promise, reject };
}

/**
 * The library's own rank worker, relative to this module: the TypeScript source here, and the
 * built file in the package (tsdown.config.ts rewrites both paths and fails if they are missing).
 * Kept out of the `new Worker(new URL("literal", import.meta.url))` form on purpose: bundlers
 * would bundle or copy it into every application, which uses its own rank worker (`rankWorker`).
 */
const LIBRARY_WORKER = "../rank-worker.ts";
const LIBRARY_NODE_WORKER = "./node-rank-worker.mjs";

/** Web Workers: Chromium and Deno. `script` is the application's own rank worker, or else the library's. */
function spawnWebWorker(rank: number, script: string | undefined): RankWorker {
  const worker = new Worker(script ?? new URL(LIBRARY_WORKER, import.meta.url), { type: "module", name: `webshmem-rank-${rank}` });
  const death = deferred();
  let terminated = false;
  worker.addEventListener("error", (e: ErrorEvent) => {
    e.preventDefault(); // Deno would otherwise end the whole process
    if (!terminated) death.reject(new Error(`rank ${rank} worker died: ${e.message || "failed to load or crashed"}`));
  });
  worker.addEventListener("messageerror", () => {
    death.reject(new Error(`rank ${rank} worker received a message it could not deserialize`));
  });
  const ready = new Promise<void>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (!isReady(e.data)) return;
      worker.removeEventListener("message", onMessage);
      resolve();
    };
    worker.addEventListener("message", onMessage);
  });
  return {
    script: script ?? new URL(LIBRARY_WORKER, import.meta.url).href,
    endpoint: worker as unknown as Endpoint,
    ready,
    died: death.promise,
    terminate: async () => {
      terminated = true;
      worker.terminate();
    },
  };
}

async function spawnNodeWorker(rank: number, script: string | undefined): Promise<RankWorker> {
  const { threads: { Worker: NodeWorker }, nodeEndpoint } = await nodeThreads();
  // From the sources the worker loads tsx first (node-rank-worker.mjs); the package build
  // rewrites this path to the built rank worker, which needs no loader.
  const worker = new NodeWorker(script === undefined ? new URL(LIBRARY_NODE_WORKER, import.meta.url) : new URL(script), {
    name: `webshmem-rank-${rank}`,
  });
  const death = deferred();
  let terminated = false;
  worker.on("error", (e: Error) => death.reject(new Error(`rank ${rank} worker died: ${e.message}`)));
  worker.on("exit", (code: number) => {
    if (!terminated) death.reject(new Error(`rank ${rank} worker exited unexpectedly with code ${code}`));
  });
  const ready = new Promise<void>((resolve) => {
    const onMessage = (data: unknown) => {
      if (!isReady(data)) return;
      worker.off("message", onMessage);
      resolve();
    };
    worker.on("message", onMessage);
  });
  return {
    script: script ?? new URL(LIBRARY_NODE_WORKER, import.meta.url).href,
    endpoint: nodeEndpoint(worker),
    ready,
    died: death.promise,
    terminate: async () => {
      terminated = true;
      await worker.terminate();
    },
  };
}

/** Starts rank `rank`'s worker: `script` (the application's rank worker) or the library's own. */
export async function spawnRankWorker(runtime: RuntimeName, rank: number, script?: string): Promise<RankWorker> {
  return runtime === "node" ? spawnNodeWorker(rank, script) : spawnWebWorker(rank, script);
}
