import { expose } from "comlink";
import { detectRuntime } from "../core/runtime.ts";
import { nodeThreads } from "./node-threads.ts";
import { READY_MESSAGE } from "./protocol.ts";
import { RankService, type RankFunctions } from "./rank-service.ts";
import { osThreadId, THREAD_FIELD } from "./thread-exit.ts";

/**
 * Exposes a RankService over comlink in the worker this code runs in (a Web Worker in browsers
 * and Deno, a `worker_threads` worker in Node), then tells the launcher it is ready. `functions`
 * are the rank functions when the worker was built around them (`serveRanks`); without them the
 * service imports the launch's `rankModule` when it is initialised.
 */
export async function serveRankService(functions?: RankFunctions): Promise<void> {
  const service = new RankService(functions);
  if (detectRuntime() === "node") {
    const { threads: { parentPort }, nodeEndpoint } = await nodeThreads();
    if (parentPort === null) throw new Error("a webshmem rank worker must run in a worker thread, started by launch()");
    expose(service, nodeEndpoint(parentPort));
    parentPort.postMessage({ type: READY_MESSAGE });
  } else {
    expose(service);
    // With its OS thread id (Deno on Linux): terminate() waits for that thread to end (thread-exit.ts).
    (globalThis as unknown as { postMessage(m: unknown): void }).postMessage({ type: READY_MESSAGE, [THREAD_FIELD]: osThreadId() });
  }
}
