/**
 * Entry point of every rank worker (Web Worker in browsers and Deno, worker_threads in Node):
 * exposes a RankService over comlink, then says it is ready.
 */
import { expose, type Endpoint } from "comlink";
import { READY_MESSAGE } from "../src/launch/protocol.ts";
import { RankService } from "../src/launch/rank-service.ts";
import { detectRuntime } from "../src/core/runtime.ts";

const service = new RankService();

if (detectRuntime() === "node") {
  const { parentPort } = await import("node:worker_threads");
  const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
  if (parentPort === null) throw new Error("rank-worker.ts must run in a worker thread");
  expose(service, nodeEndpoint(parentPort) as Endpoint);
  parentPort.postMessage({ type: READY_MESSAGE });
} else {
  expose(service);
  (globalThis as unknown as { postMessage(m: unknown): void }).postMessage({ type: READY_MESSAGE });
}
