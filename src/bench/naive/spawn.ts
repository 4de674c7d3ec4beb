/** Plain workers for the naive baseline (not launch()): Web Workers, or worker_threads on Node. */
import type { BenchRuntime } from "../flags.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

export interface NaiveEndpoint {
  post(m: ToWorker, transfer?: Transferable[]): void;
  /** The next message of `type`; rejects on a worker error. */
  next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>>;
  terminate(): Promise<void>;
}

/** Delivers messages in order to whoever waits for them; errors reject every waiter. */
class Inbox {
  private readonly queue: FromWorker[] = [];
  private waiters: ((m: FromWorker) => void)[] = [];
  private failure: Error | undefined;
  private rejecters: ((e: Error) => void)[] = [];

  push(m: FromWorker): void {
    if (m.type === "error") return this.fail(new Error(`naive worker: ${m.message}`));
    const w = this.waiters.shift();
    this.rejecters.shift();
    if (w !== undefined) w(m);
    else this.queue.push(m);
  }

  fail(e: Error): void {
    this.failure ??= e;
    for (const r of this.rejecters) r(e);
    this.waiters = [];
    this.rejecters = [];
  }

  async next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure !== undefined) throw this.failure;
    const m = this.queue.shift() ?? await new Promise<FromWorker>((res, rej) => {
      this.waiters.push(res);
      this.rejecters.push(rej);
    });
    if (m.type !== type) throw new Error(`naive worker: expected a "${type}" message, got "${m.type}"`);
    return m as Extract<FromWorker, { type: T }>;
  }
}

function webWorker(rank: number): NaiveEndpoint {
  const worker = new Worker(new URL("./naive-worker.ts", import.meta.url), { type: "module", name: `naive-${rank}` });
  const inbox = new Inbox();
  worker.addEventListener("message", (e: MessageEvent) => inbox.push(e.data as FromWorker));
  worker.addEventListener("error", (e: ErrorEvent) => {
    e.preventDefault();
    inbox.fail(new Error(`naive worker ${rank} died: ${e.message || "failed to load"}`));
  });
  return {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    next: (type) => inbox.next(type),
    terminate: async () => worker.terminate(),
  };
}

async function nodeWorker(rank: number): Promise<NaiveEndpoint> {
  const threads = "node:worker_threads";
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ threads)) as typeof import("node:worker_threads");
  // @vite-ignore: Node only; a bundler building a page must not copy this file into it.
  const worker = new NodeWorker(new URL(/* @vite-ignore */ "./naive-worker-node.mjs", import.meta.url), { name: `naive-${rank}` });
  const inbox = new Inbox();
  worker.on("message", (m: FromWorker) => inbox.push(m));
  worker.on("error", (e: Error) => inbox.fail(new Error(`naive worker ${rank} died: ${e.message}`)));
  return {
    post: (m, transfer) => worker.postMessage(m, (transfer ?? []) as never),
    next: (type) => inbox.next(type),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

export function spawnNaive(runtime: BenchRuntime, rank: number): Promise<NaiveEndpoint> {
  return runtime === "node" ? nodeWorker(rank) : Promise.resolve(webWorker(rank));
}
