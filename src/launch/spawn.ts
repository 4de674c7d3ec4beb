import type { Endpoint } from "comlink";
import { WorkerLostError } from "../core/errors.ts";
import type { RuntimeName } from "../core/runtime.ts";
import { nodeThreads } from "./node-threads.ts";
import { CLOSING_MESSAGE, READY_MESSAGE } from "./protocol.ts";
import { osThreadEnded, threadOfMessage } from "./thread-exit.ts";

/** One rank's worker, whatever the runtime: a comlink endpoint and its life cycle. */
export interface RankWorker {
  /** The worker's script: the application's rank worker, or the library's own. */
  readonly script: string;
  readonly endpoint: Endpoint;
  /** Resolves when the worker has exposed its service. */
  readonly ready: Promise<void>;
  /**
   * Rejects with a WorkerLostError when the worker dies (uncaught error, failed load, exit,
   * `self.close()`) before `terminate()`; never settles otherwise.
   */
  readonly died: Promise<never>;
  terminate(): Promise<void>;
}

function isMessage(data: unknown, type: string): boolean {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === type;
}

function isReady(data: unknown): boolean {
  return isMessage(data, READY_MESSAGE);
}

function deferred(): { promise: Promise<never>; reject: (e: WorkerLostError) => void } {
  let reject!: (e: WorkerLostError) => void;
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
  let thread: string | undefined; // the worker's OS thread (Deno on Linux), from its ready message
  worker.addEventListener("error", (e: ErrorEvent) => {
    e.preventDefault(); // Deno would otherwise end the whole process
    if (!terminated) {
      death.reject(new WorkerLostError(`rank ${rank} worker died: ${e.message || "failed to load or crashed"}`, rank, undefined));
    }
  });
  worker.addEventListener("messageerror", () => {
    death.reject(new WorkerLostError(`rank ${rank} worker received a message it could not deserialize`, rank, undefined));
  });
  // Deno and Chromium send no event when a worker closes itself: the rank service says so first.
  worker.addEventListener("message", (e: MessageEvent) => {
    if (!terminated && isMessage(e.data, CLOSING_MESSAGE)) {
      death.reject(new WorkerLostError(`rank ${rank}'s worker closed itself (self.close())`, rank, undefined));
    }
  });
  const ready = new Promise<void>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (!isReady(e.data)) return;
      thread = threadOfMessage(e.data);
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
      // Deno ends the thread later; a process exiting meanwhile can crash (docs/deno-exit-crash.md).
      await osThreadEnded(thread);
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
  // An uncaught error ('error') is always followed by 'exit' (code 1): reported there, with the code.
  let uncaught: Error | undefined;
  worker.on("error", (e: Error) => {
    uncaught = e;
  });
  // process.exit(code) in a worker thread ends the thread alone: 'exit' with that code.
  worker.on("exit", (code: number) => {
    if (terminated) return;
    death.reject(new WorkerLostError(
      uncaught === undefined ? `rank ${rank}'s worker exited with code ${code}`
        : `rank ${rank}'s worker died (exit code ${code}): ${uncaught.message}`,
      rank,
      code,
    ));
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
